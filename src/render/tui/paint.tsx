import { Text } from 'ink';
import { createContext, type ReactNode, useContext } from 'react';
import type { Tone } from './rows.ts';

/** false under NO_COLOR / --no-color: tones then paint nothing, bold and dim stay. */
export const ColorOn = createContext(true);

const COLOURS: Record<Exclude<Tone, 'dim'>, string> = {
  good: 'green',
  bad: 'red',
  warn: 'yellow',
};

export function Toned({ tone, bold, children }: { tone?: Tone; bold?: boolean; children: ReactNode }) {
  const on = useContext(ColorOn);
  if (tone === 'dim')
    return (
      <Text dimColor bold={bold}>
        {children}
      </Text>
    );
  return (
    <Text color={on && tone ? COLOURS[tone] : undefined} bold={bold}>
      {children}
    </Text>
  );
}

export function Heading({ children }: { children: ReactNode }) {
  return <Text bold>{children}</Text>;
}
