import { Box, Text } from 'ink';
import { cidrMapLines, type MapInput } from './cidr-layout.ts';
import { Heading, Toned } from './paint.tsx';

/** The guide's picture: VPC, container CIDR, peered space, Docker pools, and the source the peer sees. */
export function CidrMap({ input, width }: { input?: MapInput; width: number }) {
  if (!input) {
    return (
      <Box flexDirection="column" width={width}>
        <Heading>CIDR MAP</Heading>
        <Text dimColor>waiting for the target address…</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width}>
      <Heading>CIDR MAP</Heading>
      {cidrMapLines(input, width).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
        <Text key={i} wrap="truncate-end">
          {line.map((s, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
            <Toned key={j} tone={s.tone}>
              {s.text}
            </Toned>
          ))}
        </Text>
      ))}
    </Box>
  );
}
