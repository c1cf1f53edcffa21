import { Box, Text, useAnimation } from 'ink';
import { Heading, Toned } from './paint.tsx';
import { fmtMs } from '../../net/format.ts';
import type { ProbeRow } from './rows.ts';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK = { good: '✓', bad: '✗', warn: '!', dim: '·' } as const;

export function Spinner() {
  const { frame } = useAnimation({ interval: 80 });
  return <Text color="cyan">{SPINNER[frame % SPINNER.length]}</Text>;
}

function Row({ row, wide }: { row: ProbeRow; wide: boolean }) {
  return (
    <Box>
      <Box width={2} flexShrink={0}>
        {row.running ? <Spinner /> : <Toned tone={row.tone}>{MARK[row.tone ?? 'dim']}</Toned>}
      </Box>
      <Box width={9} flexShrink={0}>
        <Text>{row.label}</Text>
      </Box>
      <Box width={wide ? 24 : 20} flexShrink={0}>
        <Text wrap="truncate-end">{row.dest}</Text>
      </Box>
      <Box width={12} flexShrink={0}>
        {row.running ? <Text dimColor>running…</Text> : <Toned tone={row.tone === 'dim' ? undefined : row.tone}>{row.outcome}</Toned>}
      </Box>
      <Box width={9} flexShrink={0} justifyContent="flex-end" marginRight={2}>
        <Text dimColor>{row.ms !== undefined ? fmtMs(row.ms) : ''}</Text>
      </Box>
      <Text dimColor wrap="truncate-end">
        {row.detail ?? ''}
      </Text>
    </Box>
  );
}

/** One row per probe, from the pod and (with --node-report) from the node. */
export function ProbeRows({ pod, node, rtt, wide }: { pod: ProbeRow[]; node: ProbeRow[]; rtt?: string; wide: boolean }) {
  return (
    <Box flexDirection="column">
      <Heading>PROBES</Heading>
      <Text dimColor>from pod</Text>
      {pod.length === 0 ? <Text dimColor> starting…</Text> : pod.map((r) => <Row key={`pod-${r.probe}`} row={r} wide={wide} />)}
      {node.length ? <Text dimColor>from node (--node-report)</Text> : null}
      {node.map((r) => (
        <Row key={`node-${r.probe}`} row={r} wide={wide} />
      ))}
      {rtt ? <Text dimColor>{rtt}</Text> : null}
    </Box>
  );
}
