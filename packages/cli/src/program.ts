import { Command, InvalidArgumentError, Option } from 'commander';
import { cancel, remove } from './commands/cancel.js';
import { download } from './commands/download.js';
import { list } from './commands/list.js';
import { logs } from './commands/logs.js';
import { listQueues, setPaused } from './commands/queues.js';
import { serveCommand } from './commands/serve.js';
import { status } from './commands/status.js';
import { submit } from './commands/submit.js';
import { DEFAULT_BATCH_SIZE, submitMany } from './commands/submit-many.js';
import { upload } from './commands/upload.js';
import { waitAndShow } from './commands/wait.js';
import { runWorker } from './commands/worker.js';
import { makeClient, withClientOptions } from './context.js';
import { UsageError } from './errors.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number above 0');
  return n;
}

// The ranges of --priority and --run-in are the server's to check (invalid_priority and the like).
function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number of seconds, 0 or more');
  return n;
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The `longrun` command. Each action stores its exit code in `result.code`;
 * errors propagate to the caller, which prints them (see main.ts).
 */
export function buildProgram(version: string, result: { code: number }): Command {
  const program = new Command('longrun')
    .description('Run long jobs on a longrun server and watch them finish.')
    .version(version)
    .exitOverride()
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `\nEvery command but serve takes --url (LONGRUN_URL, default http://127.0.0.1:8000) and --api-key (LONGRUN_API_KEY).\n\n${EXIT_CODES_HELP}\n\nExamples:\n  longrun serve --port 8000\n  longrun submit simulate duration_seconds=10 --wait\n  longrun submit text.to_video --input @job.json --json\n  longrun wait 01a2… --timeout 60\n  longrun list --status running\n  longrun queues pause media\n  longrun download 01a2… video.mp4 -o out.mp4\n  longrun upload photo.jpg\n  longrun submit image.to_video image_url=@photo.jpg --wait\n  longrun submit --from jobs.jsonl\n  longrun worker ./upscale.mjs --concurrency 2`,
    );

  const run = async (command: Promise<number>) => {
    result.code = await command;
  };

  program
    .command('serve')
    .description('run the server here (longrun serve --help lists its flags)')
    .argument('[flags...]', 'server flags, such as --port 9000 --data-dir ./data')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (flags: string[]) => {
      await serveCommand(flags);
    });

  withClientOptions(
    program
      .command('submit')
      .description(
        'submit a job; prints its id, or follows it to its end with --wait. With --from, submit every job of a JSON Lines file',
      )
      .argument('[type]', 'a job type, such as simulate or text.to_video')
      .argument(
        '[key=value...]',
        'input fields; values that read as JSON are JSON, others strings; key=@path uploads the file and gives its id',
      )
      .option('--input <json|@file>', 'the input as a JSON object, or @file.json (@- for stdin)')
      .option('--id <id>', 'your own job id (1-128 of A-Z a-z 0-9 . _ : -, not dots alone)')
      .option('--max-attempts <n>', 'attempts before the job fails for good', positiveInteger)
      .option('--queue <name>', "the named queue to run in (default: the type's own; see longrun queues)")
      .option('--priority <n>', 'from -100 to 100; within a queue, higher runs first (default 0)', integer)
      .option('--run-at <time>', 'start no sooner than this ISO 8601 time, such as 2026-12-01T18:00:00Z')
      .option('--run-in <seconds>', 'start no sooner than this many seconds from now', number)
      .option(
        '--wait',
        'wait for the job like `longrun wait`, and exit with its outcome; with --from, for every job made, printing each as it ends',
      )
      .option('--timeout <seconds>', 'with --wait: give up after this long (exit 3)', positiveNumber)
      .option('--json', 'print the job as JSON (with --wait: one JSON job per change)')
      .option(
        '--from <file.jsonl>',
        'submit one job per line of this file (- for stdin), each a body of POST /v1/jobs; prints an id or an error per line',
      )
      .option(
        '--batch-size <n>',
        `with --from: jobs per request (default ${DEFAULT_BATCH_SIZE}, the server's --max-batch-jobs)`,
        positiveInteger,
      ),
  ).action(async (type: string | undefined, pairs: string[], flags) => {
    if (flags.from !== undefined) {
      const alone = ['input', 'id', 'maxAttempts', 'queue', 'priority', 'runAt', 'runIn'];
      if (type !== undefined || alone.some((f) => flags[f] !== undefined)) {
        throw new UsageError(
          '--from takes every field from the file: give no type, input or job flags with it',
        );
      }
      if (flags.timeout !== undefined && !flags.wait) throw new UsageError('--timeout goes with --wait');
      return run(submitMany(makeClient(flags), flags.from, flags));
    }
    if (type === undefined) throw new UsageError("missing required argument 'type' (or --from file.jsonl)");
    if (flags.batchSize !== undefined) throw new UsageError('--batch-size goes with --from');
    return run(submit(makeClient(flags), type, pairs, flags));
  });

  withClientOptions(
    program
      .command('wait')
      .description('show a job until it ends, with a live bar on a terminal; exits with its outcome')
      .argument('<id>', 'the job')
      .option('--timeout <seconds>', 'give up after this long (exit 3); the job goes on', positiveNumber)
      .option('--json', 'one JSON job per line, for each change'),
  ).action(async (id: string, flags) => run(waitAndShow(makeClient(flags), id, flags)));

  withClientOptions(
    program
      .command('status')
      .description("print a job's state")
      .argument('<id>', 'the job')
      .option('--json', 'print the job as JSON'),
  ).action(async (id: string, flags) => run(status(makeClient(flags), id, flags)));

  withClientOptions(
    program
      .command('list')
      .description('list the newest jobs as a table')
      .addOption(
        new Option('--status <status>', 'only jobs in this state (repeat or comma-separate)').argParser(
          collect,
        ),
      )
      .addOption(
        new Option('--type <type>', 'only jobs of this type (repeat or comma-separate)').argParser(collect),
      )
      .option('--limit <n>', 'at most this many jobs', positiveInteger, 20)
      .option('--json', 'one JSON job per line'),
  ).action(async (flags) => run(list(makeClient(flags), flags)));

  const queues = program
    .command('queues')
    .description('list the named queues with their counts; pause or resume one');
  withClientOptions(
    queues
      .command('list', { isDefault: true })
      .description('the queues as a table (the default)')
      .option('--json', 'one JSON queue per line'),
  ).action(async (flags) => run(listQueues(makeClient(flags), flags)));
  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    withClientOptions(
      queues
        .command(action)
        .description(
          paused
            ? 'start nothing new from a queue (its running jobs finish); prints its state'
            : 'let a paused queue start jobs again; prints its state',
        )
        .argument('<name>', 'the queue')
        .option('--json', 'print the queue as JSON'),
    ).action(async (name: string, flags) => run(setPaused(makeClient(flags), name, paused, flags)));
  }

  withClientOptions(
    program
      .command('logs')
      .description("print a job's log")
      .argument('<id>', 'the job')
      .option('-f, --follow', 'keep printing new lines until the job ends'),
  ).action(async (id: string, flags) => run(logs(makeClient(flags), id, flags)));

  withClientOptions(
    program
      .command('cancel')
      .description('cancel a job (a running job is stopped); prints its state')
      .argument('<id>', 'the job')
      .option('--json', 'print the job as JSON'),
  ).action(async (id: string, flags) => run(cancel(makeClient(flags), id, flags)));

  withClientOptions(
    program
      .command('delete')
      .description('delete an ended job and its artifacts')
      .argument('<id>', 'the job'),
  ).action(async (id: string, flags) => run(remove(makeClient(flags), id)));

  withClientOptions(
    program
      .command('download')
      .description('save an artifact of a job, with a byte progress bar on a terminal')
      .argument('<id>', 'the job')
      .argument('[name]', 'the artifact (needed when the job has more than one)')
      .option('-o, --output <file>', "where to save it (- for stdout); default: the artifact's name"),
  ).action(async (id: string, name: string | undefined, flags) =>
    run(download(makeClient(flags), id, name, flags)),
  );

  withClientOptions(
    program
      .command('upload')
      .description('upload a file (streamed) to use in job inputs; prints its id')
      .argument('<path>', 'the file')
      .option('--filename <name>', "the name to keep it under (default: the path's base name)")
      .option('--content-type <type>', 'its media type (default: from the extension, else detected)')
      .option('--json', 'print the file as JSON'),
  ).action(async (path: string, flags) => run(upload(makeClient(flags), path, flags)));

  withClientOptions(
    program
      .command('worker')
      .description(
        'serve the job types an ES module exports (made with defineType from @longrun/worker) until SIGTERM or SIGINT',
      )
      .argument(
        '<module>',
        'the module, such as ./upscale.mjs; its default export and named exports that are types',
      )
      .option('--concurrency <n>', 'jobs run at once (default 1)', positiveInteger)
      .option('--name <name>', 'the name GET /v1/workers shows (default: <hostname>-<pid>)')
      .option(
        '--drain <seconds>',
        'after a signal, how long running jobs may finish before they go back to the queue (default 30)',
        nonNegativeNumber,
      ),
  ).action(async (module: string, flags) => run(runWorker(module, flags)));

  return program;
}
