/**
 * Dependencies per task: two Python tasks pinned to conflicting versions of one library
 * (numpy-style: mylib 1.0 sums, 2.0 averages), a container task with its own image, and a
 * TypeScript task in a worker thread of its own — all in one DAG, none sharing an environment.
 * `updraft runs show` lists where each ran (environment hash, interpreter or image, memory).
 */
import { container, dag, image, python, pythonEnv, task } from 'updraft';

const mylib1 = pythonEnv('mylib-1', { python: '3.12', requirements: 'envs/mylib1/requirements.txt' });
const mylib2 = pythonEnv('mylib-2', { python: '3.12', requirements: 'envs/mylib2/requirements.txt' });
const compareImage = image('compare', { directory: 'images/compare' });

export const isolatedEnvironments = dag(
  {
    dagId: 'isolated_environments',
    schedule: null,
    tags: ['example', 'environments'],
    params: { values: [2, 4, 6] },
    doc: 'Two Python tasks with conflicting pins, a container task and an isolated TS task.',
  },
  () => {
    const old = python({
      taskId: 'summarize_mylib_1',
      environment: mylib1,
      script: 'python/summarize.py',
      memoryMiB: 512,
    });
    const next = python({
      taskId: 'summarize_mylib_2',
      environment: mylib2,
      script: 'python/summarize.py',
      memoryMiB: 512,
    });
    const compared = container<{ versions: string[]; agree: boolean }>({
      taskId: 'compare',
      image: compareImage,
      // The XComs of both Python tasks, as JSON arguments (templated at run time).
      args: [
        "{{ ti.xcom_pull('summarize_mylib_1') | tojson }}",
        "{{ ti.xcom_pull('summarize_mylib_2') | tojson }}",
      ],
      // No Docker engine locally: run the same script with the machine's Python, in the image's folder.
      local: ['python3', 'compare.py'],
      memoryMiB: 512,
    });
    const report = task(
      { taskId: 'report', memoryMiB: 256 },
      (ctx, verdict: { versions: string[]; agree: boolean }) => {
        ctx.log.info(`mylib ${verdict.versions.join(' and ')} ${verdict.agree ? 'agree' : 'disagree'}`);
        return { ...verdict, checkedBy: `TypeScript in a worker thread (pid ${process.pid})` };
      },
    );
    old.then(compared);
    next.then(compared);
    report(compared);
  },
);
