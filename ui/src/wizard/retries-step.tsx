import { Form, InputNumber, Radio, Select, Switch } from 'antd';
import { HeadersField } from './headers-field';
import { RATE_LIMIT, RETRY_LIMITS } from './wizard-values';

function rangeRule(label: string, limits: { min: number; max: number }) {
  return [
    { required: true, message: `Enter ${label}.` },
    { type: 'integer' as const, min: limits.min, max: limits.max, message: `Use a whole number from ${limits.min} to ${limits.max}.` },
  ];
}

/** Step 3: retry policy, request timeout, member ordering and superseding, custom headers and the Enable toggle. */
export function RetriesStep() {
  const form = Form.useFormInstance();
  const eventTypes: string[] = Form.useWatch('event_types', { form, preserve: true }) ?? [];
  return (
    <>
      <Form.Item
        label="Retry Attempts"
        name={['retry', 'attempts']}
        rules={rangeRule('the retry attempts', RETRY_LIMITS.attempts)}
        extra="Extra tries after the first failure (0-10). 3 means up to 4 requests in all."
      >
        <InputNumber min={RETRY_LIMITS.attempts.min} max={RETRY_LIMITS.attempts.max} precision={0} style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        label="Retry Delay"
        name={['retry', 'delay_seconds']}
        rules={rangeRule('the retry delay', RETRY_LIMITS.delay_seconds)}
        extra="Seconds to wait between tries (0-86400)."
      >
        <InputNumber min={RETRY_LIMITS.delay_seconds.min} max={RETRY_LIMITS.delay_seconds.max} precision={0} suffix="seconds" style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        label="Backoff"
        name={['retry', 'backoff']}
        extra="Fixed waits the Retry Delay between tries; Exponential doubles it after each failed try (±20 % jitter), up to the Max Delay."
      >
        <Radio.Group
          optionType="button"
          options={[
            { label: 'Fixed', value: 'fixed' },
            { label: 'Exponential', value: 'exponential' },
          ]}
        />
      </Form.Item>
      <Form.Item
        label="Max Delay"
        name={['retry', 'max_delay_seconds']}
        rules={rangeRule('the max delay', RETRY_LIMITS.max_delay_seconds)}
        extra="The longest wait between exponential tries (1-86400 seconds; default 3600)."
      >
        <InputNumber min={RETRY_LIMITS.max_delay_seconds.min} max={RETRY_LIMITS.max_delay_seconds.max} precision={0} suffix="seconds" style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        label="Rate Limit"
        name="rate_limit_per_second"
        rules={[{ type: 'integer' as const, min: RATE_LIMIT.min, max: RATE_LIMIT.max, message: `Use a whole number from ${RATE_LIMIT.min} to ${RATE_LIMIT.max}, or leave it empty.` }]}
        extra="At most this many requests per second to this endpoint, over all Herald processes (1-10000). Empty: no limit."
      >
        <InputNumber min={RATE_LIMIT.min} max={RATE_LIMIT.max} precision={0} placeholder="No limit" suffix="per second" style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        label="Request Timeout"
        name={['retry', 'timeout_seconds']}
        rules={rangeRule('the request timeout', RETRY_LIMITS.timeout_seconds)}
        extra="Seconds to wait for the endpoint's answer before the try counts as failed (1-120)."
      >
        <InputNumber min={RETRY_LIMITS.timeout_seconds.min} max={RETRY_LIMITS.timeout_seconds.max} precision={0} suffix="seconds" style={{ width: 160 }} />
      </Form.Item>
      <Form.Item
        label="Ordering"
        name="ordering"
        extra="Per member: one delivery per user_id at a time, in the order events were accepted; use it when the endpoint keeps per-member state (a CRM contact, a balance)."
      >
        <Radio.Group
          optionType="button"
          options={[
            { value: 'none', label: 'None' },
            { value: 'member', label: 'Per member' },
          ]}
        />
      </Form.Item>
      <Form.Item
        label="Supersede"
        name="supersede"
        extra="For these types a newer event for a member ends that member's older undelivered ones as Superseded, so after an outage the endpoint gets the latest value, not a replay."
      >
        <Select
          mode="multiple"
          allowClear
          placeholder="No event types"
          options={eventTypes.map((type) => ({ value: type, label: type }))}
          style={{ maxWidth: 480 }}
          aria-label="Supersede"
        />
      </Form.Item>
      <HeadersField />
      <Form.Item label="Enable" name="enabled" valuePropName="checked" extra="A disabled webhook receives no new events; its pending retries wait.">
        <Switch />
      </Form.Item>
    </>
  );
}
