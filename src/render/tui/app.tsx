import { Text, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useEffect, useState } from 'react';
import type { PodreachReport } from '../report.ts';
import type { LiveRun } from './live.ts';
import { type Ends, type MountOptions, mountView, RunScreen } from './screen.tsx';

export type { Ending } from './screen.tsx';
// The sweep view comes with this one, so the worker loads a single chunk with ink in it.
export { showSweepTui } from './sweep-app.tsx';

export interface Session extends Ends {
  /** The latest run's report and error (r replaces them). */
  report?: PodreachReport;
  error?: Error;
  /** Whether the latest run had finished when the session ended. */
  settled: boolean;
  /** The latest run, to wait for its clean-up after an interrupt. */
  done?: Promise<unknown>;
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

  return (
    <RunScreen snap={snap} cols={cols}>
      {live ? <Text dimColor>{settled ? 'q quit · r re-run probes · j print JSON and exit' : 'probing… · q quit'}</Text> : null}
    </RunScreen>
  );
}

export interface ShowOptions extends MountOptions {
  first: LiveRun;
  rerun: (n: number) => LiveRun;
  keys: boolean;
}

/** Mounts the app and resolves when it ends: q, j, the verdict without keys, Ctrl-C, or `interrupt`. */
export async function showTui(o: ShowOptions): Promise<Session> {
  const session: Session = { settled: false };
  await mountView(<App first={o.first} rerun={o.rerun} keys={o.keys} session={session} />, session, o);
  return session;
}
