import { Card, Checkbox, Typography } from 'antd';
import { groupByFeed, humanize, type Feed } from '../api/event-types';
import type { EventType } from '../api/types';

interface EventPickerProps {
  catalog: EventType[];
  value?: string[];
  onChange?: (value: string[]) => void;
}

/** The five feeds, each with a select-all and one checkbox per event type. A form control over string[]. */
export function EventPicker({ catalog, value = [], onChange }: EventPickerProps) {
  const selected = new Set(value);
  const setTypes = (types: string[], isOn: boolean) => {
    const next = new Set(selected);
    for (const type of types) (isOn ? next.add(type) : next.delete(type));
    // Keep catalog order so the saved list reads the same way as the page.
    onChange?.(catalog.map((entry) => entry.event_type).filter((type) => next.has(type)));
  };
  return (
    <div>
      {groupByFeed(catalog).map((feed) => (
        <FeedCard key={feed.feed} feed={feed} selected={selected} onToggle={setTypes} />
      ))}
    </div>
  );
}

function FeedCard({ feed, selected, onToggle }: { feed: Feed; selected: Set<string>; onToggle: (types: string[], isOn: boolean) => void }) {
  const types = feed.eventTypes.map((entry) => entry.event_type);
  const count = types.filter((type) => selected.has(type)).length;
  return (
    <Card
      size="small"
      className="feed-card"
      title={
        <Checkbox
          checked={count === types.length}
          indeterminate={count > 0 && count < types.length}
          onChange={(event) => onToggle(types, event.target.checked)}
          aria-label={`All ${feed.label} events`}
        >
          {feed.label}
        </Checkbox>
      }
      extra={<Typography.Text type="secondary">{count ? `${count} of ${types.length} selected` : 'none selected'}</Typography.Text>}
    >
      {feed.eventTypes.map((entry) => (
        <div key={entry.event_type} style={{ marginBottom: 6 }}>
          <Checkbox checked={selected.has(entry.event_type)} onChange={(event) => onToggle([entry.event_type], event.target.checked)}>
            {humanize(entry.event)} <code className="mono">{entry.event_type}</code>
          </Checkbox>
          {entry.description && <span className="event-help">{entry.description}</span>}
        </div>
      ))}
    </Card>
  );
}
