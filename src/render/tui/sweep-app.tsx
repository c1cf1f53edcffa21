// The live view of several targets (podreach diagnose T1 T2 ...): a table, a row per target filling in as
// the run goes; Enter opens a target's full screen (the single-target view's), Esc goes back.
import { Box, Text, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { type ReactNode, useEffect, useState } from 'react';
import { fmtMs } from '../../net/format.ts';
import { type Ends, type MountOptions, mountView, RunScreen } from './screen.tsx';
import { ContextNotes } from './context-panel.tsx';
import { Header } from './header.tsx';
import type { RunSnapshot, SweepRun } from './live.ts';
import { Toned } from './paint.tsx';
import { Spinner } from './probe-rows.tsx';
import { clip } from './rows.ts';
import { type SweepRow, sweepProgress, sweepRows } from './sweep-view.ts';
import { verdictMark } from './verdict.tsx';
import { buildView, verdictTone } from './view.ts';

export interface SweepSession extends Ends {
  /** Every target's report is in, or the run failed. */
  settled: boolean;
  error?: Error;
}

export interface SweepAppProps {
  first: SweepRun;
  /** Starts run number n (the r key): every target again. */
  rerun: (n: number) => SweepRun;
  /** stdin is a terminal: the keys work, and the screen stays until q. */
  keys: boolean;
  /** What a target probed from the pod is still waiting for: "the other targets", "node/API". */
  waiting: string;
  /** Where each target came from (-f FILE, env VAR), in input order. */
  origins?: readonly (string | undefined)[];
  /** Fixed width (tests); default: the terminal's. */
  columns?: number;
  session: SweepSession;
}

const VERDICT = 24;
const CONF = 4;
const TIME = 8;
/** Marker, and the gaps after TARGET, VERDICT and CONF. */
const FIXED = 2 + 2 + VERDICT + 2 + CONF + 2 + TIME;

function useSnapshots(run: SweepRun): RunSnapshot[] {
  const [snaps, setSnaps] = useState(() => run.targets.map((t) => t.snapshot()));
  useEffect(() => {
    setSnaps(run.targets.map((t) => t.snapshot()));
    const offs = run.targets.map((t, i) => t.subscribe((s) => setSnaps((prev) => prev.map((p, j) => (j === i ? s : p)))));
    return () => {
      for (const off of offs) off();
    };
  }, [run]);
  return snaps;
}

export function SweepApp({ first, rerun, keys, waiting, origins, columns, session }: SweepAppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useWindowSize();
  const cols = Math.max(60, columns ?? size.columns ?? 80);
  const [run, setRun] = useState(first);
  const snaps = useSnapshots(run);
  const [selected, setSelected] = useState(0);
  const [open, setOpen] = useState(false);

  const error = snaps.find((s) => s.error)?.error;
  const settled = error !== undefined || snaps.every((s) => s.report !== undefined);
  session.settled = settled;
  session.error = error;
  const live = keys && isRawModeSupported === true;

  // Nothing to wait for without a keyboard (kubectl exec without -t), or after a failure.
  useEffect(() => {
    if (settled && (!live || error)) {
      session.ending = 'done';
      exit();
    }
  }, [settled, live, error, session, exit]);

  const last = snaps.length - 1;
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') setSelected((i) => Math.max(0, i - 1));
      else if (key.downArrow || input === 'j') setSelected((i) => Math.min(last, i + 1));
      else if (open && (key.escape || input === 'q')) setOpen(false);
      else if (key.return) setOpen(true);
      else if (input === 'q') {
        session.ending = 'quit';
        exit();
      } else if (input === 'J' && settled) {
        session.ending = 'json';
        exit();
      } else if (input === 'r' && settled) setRun(rerun(run.n + 1));
    },
    { isActive: live },
  );

  const then = settled ? ' · r re-run probes · J print JSON and exit' : '';
  const snap = snaps[selected];
  if (open && snap) {
    const hint = `${settled ? '' : 'probing… · '}target ${selected + 1} of ${snaps.length} · esc back to all targets · ↑↓ previous/next${then}`;
    return (
      <RunScreen snap={snap} cols={cols}>
        <Text dimColor>{hint}</Text>
      </RunScreen>
    );
  }
  const hint = `${settled ? '' : 'probing… · '}↑↓ select · enter details · q quit${then}`;
  return (
    <SweepTable snaps={snaps} origins={origins} selected={live ? selected : undefined} cols={cols} waiting={waiting} error={error}>
      {live ? <Text dimColor>{hint}</Text> : null}
    </SweepTable>
  );
}

interface TableProps {
  snaps: readonly RunSnapshot[];
  origins?: readonly (string | undefined)[];
  /** The row Enter opens; undefined without a keyboard. */
  selected?: number;
  cols: number;
  waiting: string;
  error?: Error;
  children?: ReactNode;
}

/** The header line, a row per target, how far the run is (then the tally), the run's notes. */
export function SweepTable({ snaps, origins, selected, cols, waiting, error, children }: TableProps) {
  const rows = sweepRows(snaps, origins);
  const first = snaps[0];
  const header = first ? buildView(first).header : { run: 1 };
  const fromWidth = rows.some((r) => r.from) ? Math.max(8, Math.min(28, cols - FIXED - 2 - 24)) : 0;
  const targetWidth = Math.max(6, Math.min(48, cols - FIXED - (fromWidth ? fromWidth + 2 : 0), Math.max(...rows.map((r) => r.label.length))));
  const notes = first ? (buildView(first).context?.notes ?? []) : [];
  const allDone = rows.every((r) => r.state === 'done');
  return (
    <Box flexDirection="column" width={cols} rowGap={1}>
      <Header view={{ ...header, input: `${rows.length} targets`, resolved: undefined }} />
      <Box flexDirection="column">
        <Text bold>
          {'  '}
          {'TARGET'.padEnd(targetWidth + 2)}
          {'VERDICT'.padEnd(VERDICT + 2)}
          {'CONF'.padEnd(CONF + 2)}
          {fromWidth ? `${'TIME'.padEnd(TIME + 2)}FROM` : 'TIME'}
        </Text>
        {rows.map((r, i) => (
          <Row key={`${i}-${r.label}`} row={r} chosen={i === selected} targetWidth={targetWidth} fromWidth={fromWidth} waiting={waiting} />
        ))}
      </Box>
      {allDone ? <Text>{sweepProgress(snaps)}</Text> : <Text dimColor>{sweepProgress(snaps)}</Text>}
      {error ? <Toned tone="bad">podreach: failed: {error.message}</Toned> : null}
      <ContextNotes notes={notes} />
      {children}
    </Box>
  );
}

function Row({ row, chosen, targetWidth, fromWidth, waiting }: { row: SweepRow; chosen: boolean; targetWidth: number; fromWidth: number; waiting: string }) {
  const d = row.diagnosis;
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        <Text bold>{chosen ? '›' : ' '}</Text>
      </Box>
      <Box width={targetWidth + 2} flexShrink={0}>
        <Text bold={chosen}>{clip(row.label, targetWidth)}</Text>
      </Box>
      {d ? (
        <>
          <Box width={VERDICT + 2} flexShrink={0}>
            <Toned tone={verdictTone(d)}>
              {verdictMark(d)} {d.cause}
            </Toned>
          </Box>
          <Box width={CONF + 2} flexShrink={0}>
            <Text>{d.confidence.toFixed(2)}</Text>
          </Box>
          <Box width={TIME + 2} flexShrink={0}>
            <Text>{row.totalMs !== undefined ? fmtMs(row.totalMs) : ''}</Text>
          </Box>
        </>
      ) : (
        <Box width={VERDICT + CONF + TIME + 6} flexShrink={0}>
          {row.state === 'probing' ? (
            <Text>
              <Spinner /> <Text dimColor>probing…</Text>
            </Text>
          ) : row.state === 'probed' && row.soFar ? (
            // The pod's probes alone: a first answer, dim, until the node's and the API's view is in.
            <Text dimColor wrap="truncate-end">
              {`${`${verdictMark(row.soFar)} ${row.soFar.cause}`.padEnd(VERDICT + 2)}${row.soFar.confidence.toFixed(2).padEnd(CONF + 2)}so far`}
            </Text>
          ) : row.state === 'probed' ? (
            <Text dimColor wrap="truncate-end">
              · probed, waiting for {waiting}
            </Text>
          ) : (
            <Toned tone="bad">✗ failed</Toned>
          )}
        </Box>
      )}
      {fromWidth ? (
        <Text dimColor wrap="truncate-end">
          {row.from ?? 'argument'}
        </Text>
      ) : null}
    </Box>
  );
}

export interface ShowSweepOptions extends MountOptions {
  first: SweepRun;
  rerun: (n: number) => SweepRun;
  keys: boolean;
  waiting: string;
  origins?: readonly (string | undefined)[];
}

/** Mounts the sweep view and resolves when it ends: q, J, every verdict without keys, Ctrl-C, or `interrupt`. */
export async function showSweepTui(o: ShowSweepOptions): Promise<SweepSession> {
  const session: SweepSession = { settled: false };
  await mountView(<SweepApp first={o.first} rerun={o.rerun} keys={o.keys} waiting={o.waiting} origins={o.origins} session={session} />, session, o);
  return session;
}
