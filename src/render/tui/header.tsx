import { Box, Text } from 'ink';
import type { HeaderView } from './view.ts';

/** What is being diagnosed, and from where. */
export function Header({ view }: { view: HeaderView }) {
  const target = view.resolved && view.resolved !== view.input ? `${view.input} → ${view.resolved}` : view.input;
  const from = view.podIp ? `pod ${view.podIp}` : 'this pod';
  return (
    <Box flexWrap="wrap" columnGap={2}>
      <Text bold>podreach</Text>
      <Text bold>{target}</Text>
      <Text>
        from {from}
        {view.nodeIp ? ` on node ${view.nodeIp}` : ''}
        {view.model ? ` · ${view.model} model` : ''}
      </Text>
      {view.run > 1 ? <Text dimColor>run {view.run}</Text> : null}
    </Box>
  );
}
