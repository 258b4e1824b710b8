import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Zips a pure-Python wheel with a correct RECORD; python3 does the zipping so no npm zip library is needed. */
const WHEEL_SCRIPT = `
import base64, hashlib, sys, zipfile
out, name, version, source = sys.argv[1:5]
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": source,
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: updraft-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
        wheel.writestr(path, data)
    record.append(f"{info}/RECORD,,")
    wheel.writestr(f"{info}/RECORD", "\\n".join(record) + "\\n")
`;

/**
 * Writes `<name>-<version>-py3-none-any.whl` into `dir` and returns its path: tests install real
 * packages offline (`pip wheel` needs an index for its build backend, so it cannot make them here).
 */
export function writeWheel(dir: string, name: string, version: string, moduleSource?: string): string {
  const file = path.join(dir, `${name}-${version}-py3-none-any.whl`);
  const source = `${moduleSource ?? ''}\n__version__ = "${version}"\n`;
  const result = spawnSync('python3', ['-c', WHEEL_SCRIPT, file, name, version, source], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`writeWheel ${name} ${version}: python3 exited with ${result.status}: ${result.stderr}`);
  return file;
}
