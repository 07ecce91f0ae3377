import { useState } from 'react';
import { Card, Select, Typography } from 'antd';
import type { EventType } from '../api/types';
import { JsonBlock } from '../components/json-block';

/** The catalog's example envelope for one of the selected event types. */
export function ExamplePayload({ catalog, selected }: { catalog: EventType[]; selected: string[] }) {
  const [chosen, setChosen] = useState<string | undefined>();
  const shown = chosen && selected.includes(chosen) ? chosen : selected[0];
  const example = catalog.find((entry) => entry.event_type === shown)?.example;
  return (
    <Card size="small" title="Example payload">
      {shown ? (
        <>
          <Select
            aria-label="Example for event type"
            value={shown}
            onChange={setChosen}
            options={selected.map((type) => ({ value: type, label: type }))}
            style={{ width: '100%', marginBottom: 8 }}
          />
          <JsonBlock value={example ?? {}} label={`Example payload for ${shown}`} />
        </>
      ) : (
        <Typography.Text type="secondary">Select an event type to see the payload Herald sends for it.</Typography.Text>
      )}
    </Card>
  );
}

/** A filter that the example would pass: the first string field under `data`, e.g. {"data.awarded_reward.reward_id": {"$in": [...]}}. */
export function exampleFilter(example: Record<string, unknown> | undefined): Record<string, unknown> {
  const leaf = firstStringLeaf(example?.data, 'data');
  if (leaf) return { [leaf.path]: { $in: [leaf.value] } };
  return { event_type: { $in: [String(example?.event_type ?? 'reward.awarded')] } };
}

function firstStringLeaf(value: unknown, path: string): { path: string; value: string } | null {
  if (typeof value === 'string') return { path, value };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    const found = firstStringLeaf(child, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}
