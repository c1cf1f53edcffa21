// What both live views share: a target's full screen, and mounting a view on the (relayed) terminal.
import { Box, render } from 'ink';
import type { ReactElement, ReactNode } from 'react';
import { CidrMap } from './cidr-map.tsx';
import { ContextNotes, ContextPanel } from './context-panel.tsx';
import { Header } from './header.tsx';
import type { RunSnapshot } from './live.ts';
import { ColorOn, Toned } from './paint.tsx';
import { ProbeRows } from './probe-rows.tsx';
import { Verdict } from './verdict.tsx';
import { buildView } from './view.ts';

/** How the session ended: q, j, the verdict with no keyboard to wait for, or Ctrl-C / a signal. */
export type Ending = 'quit' | 'json' | 'done' | 'interrupted';

/** Side by side from this width; stacked below it. */
const WIDE = 100;

/** One target's screen: header, context and CIDR map, probes, verdict, notes; `children` (key hints) last. */
export function RunScreen({ snap, cols, children }: { snap: RunSnapshot; cols: number; children?: ReactNode }) {
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
      {children}
    </Box>
  );
}

/** What the mounting needs from either view: the views are told how the session ends through it. */
export interface Ends {
  ending?: Ending;
  /** The session ended on a real signal (not a Ctrl-C key read in raw mode). */
  signalled?: boolean;
}

export interface MountOptions {
  /** ink's render throttle (default 30). */
  maxFps?: number;
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Ends the view as a signal would (the process's signals reach the main thread, not this one). */
  interrupt?: AbortSignal;
}

/** Renders `app` on the terminal until it exits, is interrupted or Ctrl-C'd; `session.ending` says which. */
export async function mountView(app: ReactElement, session: Ends, o: MountOptions): Promise<void> {
  const ink = render(<ColorOn.Provider value={o.color}>{app}</ColorOn.Provider>, {
    stdout: o.stdout ?? process.stdout,
    stderr: o.stderr ?? process.stderr,
    stdin: o.stdin ?? process.stdin,
    // We only get here with a terminal on stdout: draw live even when CI is set.
    interactive: true,
    exitOnCtrlC: true,
    patchConsole: false,
    maxFps: o.maxFps,
  });
  const onInterrupt = (): void => {
    session.ending ??= 'interrupted';
    session.signalled = true;
    ink.unmount();
  };
  if (o.interrupt?.aborted) onInterrupt();
  else o.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  try {
    await ink.waitUntilExit();
  } catch {
    // exit(error) is not used; an unmount race is not worth a stack trace
  } finally {
    o.interrupt?.removeEventListener('abort', onInterrupt);
  }
  // ink's own Ctrl-C handler (raw mode) exits without telling us why.
  session.ending ??= 'interrupted';
}
