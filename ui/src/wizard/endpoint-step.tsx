import { Form, Input, Radio, Select } from 'antd';
import type { Webhook } from '../api/types';
import { AuthFields } from './auth-fields';
import { VerifyButton } from './verify-button';

const AUTH_OPTIONS = [
  { value: 'none', label: 'None' },
  { value: 'jwt', label: 'JWT' },
  { value: 'basic', label: 'Basic Auth' },
  { value: 'signature', label: 'Signature' },
];

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && Boolean(url.hostname);
  } catch {
    return false;
  }
}

/** Step 1: Name, Method, URL, Description, Security & Authentication, Verify. */
export function EndpointStep({ original }: { original?: Webhook }) {
  return (
    <>
      <Form.Item
        label="Name"
        name="name"
        rules={[
          { required: true, whitespace: true, message: 'Enter a name for this webhook.' },
          { max: 100, message: 'Use at most 100 characters.' },
        ]}
        extra="Unique among webhooks (case-insensitive)."
      >
        <Input maxLength={100} autoFocus />
      </Form.Item>
      <Form.Item label="Method" name="method">
        <Select options={[{ value: 'POST', label: 'POST' }]} style={{ width: 140 }} />
      </Form.Item>
      <Form.Item
        label="URL"
        name="url"
        rules={[
          { required: true, whitespace: true, message: 'Enter the endpoint URL.' },
          {
            validator: (_, value: string) =>
              !value || isHttpUrl(value.trim())
                ? Promise.resolve()
                : Promise.reject(new Error('Enter an absolute http:// or https:// URL.')),
          },
        ]}
      >
        <Input placeholder="https://crm.example.com/hooks/loyalty" inputMode="url" />
      </Form.Item>
      <Form.Item label="Description" name="description">
        <Input.TextArea rows={2} placeholder="Optional notes for internal reference" />
      </Form.Item>
      <Form.Item label="Security & Authentication" name={['auth', 'type']}>
        <Radio.Group options={AUTH_OPTIONS} optionType="button" />
      </Form.Item>
      <AuthFields original={original} />
      <VerifyButton original={original} />
    </>
  );
}
