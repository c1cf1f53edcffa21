import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Diagnosis } from '../../diagnose/types.ts';
import { Heading, Toned } from './paint.tsx';
import type { Tone } from './rows.ts';
import { isAmbiguous, verdictTone } from './view.ts';

const ADDRESS = /(\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?\b)/;

/** A fix line with its addresses and CIDRs in bold: the parts to paste into the console. */
function FixLine({ text, tone }: { text: string; tone: Tone }) {
  const parts = text.split(ADDRESS);
  return (
    <Item mark="→" tone={tone}>
      <Text>
        {parts.map((p, i) =>
          // biome-ignore lint/suspicious/noArrayIndexKey: parts are positional
          i % 2 === 1 ? (
            <Text key={i} bold>
              {p}
            </Text>
          ) : (
            <Text key={i}>{p}</Text>
          ),
        )}
      </Text>
    </Item>
  );
}

/** A list line with a hanging indent: wrapped text stays right of the mark. */
function Item({ mark, tone, children }: { mark: string; tone?: Tone; children: ReactNode }) {
  return (
    <Box>
      <Box width={4} flexShrink={0} paddingLeft={2}>
        <Toned tone={tone}>{mark}</Toned>
      </Box>
      <Box flexGrow={1}>{typeof children === 'string' ? <Text>{children}</Text> : children}</Box>
    </Box>
  );
}

/** ✓ reachable, ✗ a cause named with confidence, ? uncertain or ambiguous. */
export const verdictMark = (d: Diagnosis): string => (d.reachable ? '✓' : verdictTone(d) === 'bad' ? '✗' : '?');

export function Verdict({ diagnosis: d }: { diagnosis?: Diagnosis }) {
  if (!d) {
    return (
      <Box flexDirection="column">
        <Text>
          <Text bold>VERDICT </Text> <Text dimColor>probing…</Text>
        </Text>
      </Box>
    );
  }
  const tone = verdictTone(d);
  const mark = verdictMark(d);
  const ambiguous = isAmbiguous(d);
  const qualifier = d.reachable ? '' : ambiguous ? ' · ambiguous: see alternatives' : tone === 'warn' ? ' · uncertain' : '';
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>VERDICT </Text>{' '}
        <Toned tone={tone} bold>
          {mark} {d.title}
        </Toned>
        <Text dimColor>
          {'  '}
          {d.cause} · confidence {d.confidence.toFixed(2)}
          {qualifier}
        </Text>
      </Text>
      <Item mark="">{d.summary}</Item>
      {d.fix.length ? (
        <>
          <Heading>FIX</Heading>
          {d.fix.map((f) => (
            <FixLine key={f} text={f} tone={tone} />
          ))}
        </>
      ) : null}
      {d.settle ? (
        <>
          <Heading>TO SETTLE IT</Heading>
          <Item mark="">{d.settle}</Item>
        </>
      ) : null}
      <Heading>EVIDENCE</Heading>
      {d.evidence.map((e) => (
        <Item key={e} mark="•">
          {e}
        </Item>
      ))}
      {d.alternatives.length ? (
        <>
          <Heading>ALTERNATIVES</Heading>
          {d.alternatives.map((a) => (
            <Box key={a.cause}>
              <Box width={8} flexShrink={0} paddingLeft={2}>
                <Text dimColor>{a.confidence.toFixed(2)}</Text>
              </Box>
              <Text>
                {a.cause}: {a.summary}
              </Text>
            </Box>
          ))}
        </>
      ) : null}
    </Box>
  );
}
