import { Button, Col, Form, Input, Row, Spin } from 'antd';
import { useEventTypes } from '../api/event-types';
import { ErrorState } from '../components/error-state';
import { EventPicker } from './event-picker';
import { exampleFilter, ExamplePayload } from './example-payload';

const FILTER_HELP =
  'Optional. A MongoDB-style query on the delivered envelope; only matching events are sent. ' +
  'Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $not.';

function validateFilter(_: unknown, text: string | undefined): Promise<void> {
  if (!text || !text.trim()) return Promise.resolve();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return Promise.resolve();
  } catch {
    return Promise.reject(new Error('The filter is not valid JSON. Fix it or use "Insert example".'));
  }
  return Promise.reject(new Error('The filter must be a JSON object, e.g. {"data.badge_id": {"$in": ["B-1"]}}.'));
}

/**
 * The form's horizontal layout gives labels a fixed 200 px width; in a vertical item that flex basis
 * would become the label's height, so these items size their label to its text.
 */
const STACKED_LABEL = { flex: 'none' } as const;

/** Step 2: feeds and event types, the example payload, and the optional filter (below the picker on narrow screens). */
export function EventsStep() {
  const form = Form.useFormInstance();
  const catalog = useEventTypes();
  const selected = (Form.useWatch('event_types', form) as string[] | undefined) ?? [];

  if (catalog.isPending) return <Spin description="Loading event types…" />;
  if (catalog.isError) return <ErrorState error={catalog.error} what="the event catalog" onRetry={() => catalog.refetch()} />;

  const insertExample = () => {
    const example = catalog.data.find((entry) => entry.event_type === (selected[0] ?? catalog.data[0]?.event_type))?.example;
    form.setFields([{ name: 'filter_text', value: JSON.stringify(exampleFilter(example), null, 2), errors: [] }]);
  };

  return (
    <Row gutter={[24, 16]}>
      <Col xs={24} lg={14}>
        <Form.Item
          layout="vertical"
          labelCol={STACKED_LABEL}
          label="Event Types"
          name="event_types"
          rules={[{ type: 'array', min: 1, required: true, message: 'Select at least one event type.' }]}
        >
          <EventPicker catalog={catalog.data} />
        </Form.Item>
      </Col>
      <Col xs={24} lg={10}>
        <ExamplePayload catalog={catalog.data} selected={selected} />
        <Form.Item
          layout="vertical"
          labelCol={STACKED_LABEL}
          label="Filter"
          name="filter_text"
          rules={[{ validator: validateFilter }]}
          extra={FILTER_HELP}
          style={{ marginTop: 16, marginBottom: 8 }}
        >
          <Input.TextArea rows={6} className="mono" placeholder='{"data.awarded_reward.reward_id": {"$in": ["REW-1"]}}' />
        </Form.Item>
        <Button size="small" onClick={insertExample}>
          Insert example
        </Button>
      </Col>
    </Row>
  );
}
