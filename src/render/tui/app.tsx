import { Box, render, Text, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useEffect, useState } from 'react';
import type { PodreachReport } from '../report.ts';
import { CidrMap } from './cidr-map.tsx';
import { ContextNotes, ContextPanel } from './context-panel.tsx';
import { Header } from './header.tsx';
import type { LiveRun } from './live.ts';
import { ColorOn, Toned } from './paint.tsx';
import { ProbeRows } from './probe-rows.tsx';
import { Verdict } from './verdict.tsx';
import { buildView } from './view.ts';

/** How the session ended: q, j, the verdict with no keyboard to wait for, or Ctrl-C / a signal. */
export type Ending = 'quit' | 'json' | 'done' | 'interrupted';

export interface Session {
  ending?: Ending;
  /** The latest run's report and error (r replaces them). */
  report?: PodreachReport;
  error?: Error;
  /** Whether the latest run had finished when the session ended. */
  settled: boolean;
  /** The latest run, to wait for its clean-up after an interrupt. */
  done?: Promise<unknown>;
  /** The session ended on a real signal (not a Ctrl-C key read in raw mode). */
  signalled?: boolean;
}

export interface AppProps {
  first: LiveRun;
  /** Starts run number n (the r key). */
  rerun: (n: number) => LiveRun;
  /** stdin is a terminal: q / r / j work, and the screen stays until q. */
  keys: boolean;
  /** Fixed width (tests); default: the terminal's. */
  columns?: number;
  session: Session;
}

/** Side by side from this width; stacked below it. */
const WIDE = 100;

export function App({ first, rerun, keys, columns, session }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useWindowSize();
  const cols = Math.max(60, columns ?? size.columns ?? 80);
  const [run, setRun] = useState(first);
  const [snap, setSnap] = useState(() => first.snapshot());
  useEffect(() => {
    setSnap(run.snapshot());
    return run.subscribe(setSnap);
  }, [run]);

  const settled = snap.report !== undefined || snap.error !== undefined;
  session.report = snap.report;
  session.error = snap.error;
  session.settled = settled;
  session.done = run.done;
  const live = keys && isRawModeSupported === true;

  // Nothing to wait for without a keyboard (kubectl exec without -t), or after a failure.
  useEffect(() => {
    if (settled && (!live || snap.error)) {
      session.ending = 'done';
      exit();
    }
  }, [settled, live, snap.error, session, exit]);

  useInput(
    (input) => {
      if (input === 'q') {
        session.ending = 'quit';
        exit();
      } else if (input === 'j' && snap.report) {
        session.ending = 'json';
        exit();
      } else if (input === 'r' && settled) {
        setRun(rerun(snap.n + 1));
      }
    },
    { isActive: live },
  );

  const view = buildView(snap);
  const wide = cols >= WIDE;
  const mapWidth = wide ? Math.min(60, cols - 54) : Math.min(cols, 64);
  const contextWidth = wide ? cols - mapWidth - 2 : cols;
  return (
    <Box flexDirection="column" width={cols} rowGap={1}>
      <Header view={view.header} />
      {wide ? (
        <Box columnGap={2}>
          <ContextPanel view={view.context} width={contextWidth} />
          <CidrMap input={view.map} width={mapWidth} />
        </Box>
      ) : (
        <>
          <ContextPanel view={view.context} width={contextWidth} />
          <CidrMap input={view.map} width={mapWidth} />
        </>
      )}
      <ProbeRows pod={view.pod} node={view.node} rtt={view.rtt} wide={wide} />
      {view.error ? <Toned tone="bad">podreach: failed: {view.error}</Toned> : <Verdict diagnosis={view.diagnosis} />}
      {view.context ? <ContextNotes notes={view.context.notes} /> : null}
      {live ? <Text dimColor>{settled ? 'q quit · r re-run probes · j print JSON and exit' : 'probing… · q quit'}</Text> : null}
    </Box>
  );
}

export interface ShowOptions {
  /** ink's render throttle (default 30). */
  maxFps?: number;
  first: LiveRun;
  rerun: (n: number) => LiveRun;
  keys: boolean;
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Ends the view as a signal would (the process's signals reach the main thread, not this one). */
  interrupt?: AbortSignal;
}

/** Mounts the app and resolves when it ends: q, j, the verdict without keys, Ctrl-C, or `interrupt`. */
export async function showTui(o: ShowOptions): Promise<Session> {
  const session: Session = { settled: false };
  const app = render(
    <ColorOn.Provider value={o.color}>
      <App first={o.first} rerun={o.rerun} keys={o.keys} session={session} />
    </ColorOn.Provider>,
    {
      stdout: o.stdout ?? process.stdout,
      stderr: o.stderr ?? process.stderr,
      stdin: o.stdin ?? process.stdin,
      // We only get here with a terminal on stdout: draw live even when CI is set.
      interactive: true,
      exitOnCtrlC: true,
      patchConsole: false,
      maxFps: o.maxFps,
    },
  );
  const onInterrupt = (): void => {
    session.ending ??= 'interrupted';
    session.signalled = true;
    app.unmount();
  };
  if (o.interrupt?.aborted) onInterrupt();
  else o.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  try {
    await app.waitUntilExit();
  } catch {
    // exit(error) is not used; an unmount race is not worth a stack trace
  } finally {
    o.interrupt?.removeEventListener('abort', onInterrupt);
  }
  // ink's own Ctrl-C handler (raw mode) exits without telling us why.
  session.ending ??= 'interrupted';
  return session;
}
