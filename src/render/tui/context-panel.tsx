import { Box, Text } from 'ink';
import type { Fact, FactName } from '../../context/types.ts';
import { FACT_LABELS, factValue, orderedFacts, SOURCE_LABELS, UNCERTAIN } from '../words.ts';
import { Heading, Toned } from './paint.tsx';
import { clip, type Tone } from './rows.ts';
import type { ContextView } from './view.ts';

/** Labels for the one-line "also" list, where space is short. */
const SHORT: Record<string, string> = {
  interface: 'dev',
  dnsServers: 'DNS',
  searchDomains: 'search',
  nodePodCidr: 'node pod CIDR',
  podLabels: 'labels',
  egressPolicies: 'egress policies',
};

/** The facts the guide's reasoning turns on; the rest go on one "also" line. */
const MAIN: readonly FactName[] = ['podIp', 'nodeIp', 'networkModel', 'containerCidr', 'serviceCidr', 'vpcCidrs'];

/** Label, marker and value columns of a fact row: what is left of the panel goes to the source or hint. */
const LABEL_W = 15;
const MARK_W = 2;
const VALUE_W = 16;

/** One row in the panel's columns: label, marker, value, then what is left dim and truncated. */
function Columns({ name, mark, value, tone, valueWidth = VALUE_W, rest }: { name: FactName; mark: string; value: string; tone?: Tone; valueWidth?: number; rest: string }) {
  return (
    <Box>
      <Box width={LABEL_W} flexShrink={0}>
        <Text>{FACT_LABELS[name] ?? name}</Text>
      </Box>
      <Box width={MARK_W} flexShrink={0}>
        <Toned tone={tone}>{mark}</Toned>
      </Box>
      <Box width={valueWidth} flexShrink={0}>
        <Toned tone={tone}>{value}</Toned>
      </Box>
      <Text dimColor wrap="truncate-end">
        {rest}
      </Text>
    </Box>
  );
}

function FactRow({ name, fact, width }: { name: FactName; fact: Fact<unknown>; width: number }) {
  const uncertain = fact.confidence < UNCERTAIN;
  const value = factValue(fact.value);
  const source = `${SOURCE_LABELS[fact.source]} ${fact.confidence.toFixed(2)}`;
  // Wide panels have room for the why ("eth0 address", "--node-ip").
  const note = fact.note && width >= 64 ? ` (${fact.note})` : '';
  return (
    <Columns
      name={name}
      mark={uncertain ? '?' : ' '}
      value={value}
      tone={uncertain ? 'warn' : undefined}
      valueWidth={Math.max(VALUE_W, value.length + 1)}
      rest={`${source}${uncertain ? ' uncertain' : ''}${note}`}
    />
  );
}

/**
 * The hint's first clause ("pass --node-ip"), for a panel too narrow for all of it; the text report and
 * `-o json` carry the whole hint.
 */
export function shortHint(hint: string): string {
  return hint.split(/ \(|, | or /)[0] ?? hint;
}

/** A missing fact: one row at any width, its columns aligned with the facts above it. */
function MissingRow({ name, hint, width }: { name: FactName; hint?: string; width: number }) {
  const room = width - LABEL_W - MARK_W - VALUE_W;
  const short = hint && shortHint(hint);
  const text = !hint || !short || room < 8 ? '' : hint.length <= room ? hint : short.length <= room ? short : clip(short.replace(/^pass /, ''), room);
  return <Columns name={name} mark="–" value="unknown" tone="warn" rest={text} />;
}

export function ContextPanel({ view, width }: { view?: ContextView; width: number }) {
  if (!view) {
    return (
      <Box flexDirection="column" width={width}>
        <Heading>CONTEXT</Heading>
        <Text dimColor>gathering…</Text>
      </Box>
    );
  }
  const f = view.facts;
  const missing = new Map(view.missing.map((m) => [m.fact, m.hint]));
  // In the text renderer's order (words.ts), so both list the same facts alike.
  const also = orderedFacts<Fact<unknown> | undefined>({ ...f }).flatMap(([k, fact]) =>
    fact && !MAIN.includes(k as FactName) ? [`${SHORT[k] ?? FACT_LABELS[k] ?? k} ${clip(factValue(fact.value), 26)}${fact.confidence < UNCERTAIN ? '?' : ''}`] : [],
  );
  const otherMissing = view.missing.filter((m) => !MAIN.includes(m.fact));
  return (
    <Box flexDirection="column" width={width}>
      <Heading>CONTEXT</Heading>
      {MAIN.map((k) => {
        const fact = f[k] as Fact<unknown> | undefined;
        if (fact) return <FactRow key={k} name={k} fact={fact} width={width} />;
        return <MissingRow key={k} name={k} hint={missing.get(k)} width={width} />;
      })}
      {also.length ? <Text dimColor>also: {also.join(' · ')}</Text> : null}
      {otherMissing.map((m) => (
        <Text key={m.fact} dimColor wrap="truncate-end">
          {FACT_LABELS[m.fact] ?? m.fact} unknown: {m.hint}
        </Text>
      ))}
    </Box>
  );
}

/** Notes from context gathering (API access, node side): full width, below the verdict. */
export function ContextNotes({ notes }: { notes: string[] }) {
  if (!notes.length) return null;
  return (
    <Box flexDirection="column">
      {notes.map((n) => (
        <Box key={n}>
          <Box width={5} flexShrink={0}>
            <Toned tone="warn">note</Toned>
          </Box>
          <Text dimColor>{n}</Text>
        </Box>
      ))}
    </Box>
  );
}
