import { MemoryBundleStore } from '../../functions/adapters/memory/bundle-store';
import { bundleImportErrorsContract } from './bundle-store.contract';

// The memory store trusts what it is given (no manifest or path checks), so it runs only this part.
bundleImportErrorsContract('MemoryBundleStore', async () => new MemoryBundleStore());
