import { Button, Form, Input, Space, Typography } from 'antd';

const RESERVED = new Set(['content-type', 'content-length', 'host', 'user-agent', 'authorization']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderName(name: string | undefined, others: string[]): string | null {
  const lower = (name ?? '').trim().toLowerCase();
  if (!lower) return 'Enter a header name, or remove the row.';
  if (!TOKEN.test(lower)) return 'Header names are letters, digits and - (no spaces or colons).';
  if (RESERVED.has(lower) || lower.startsWith('webhook-')) return `${name} is set by Herald and cannot be overridden.`;
  if (others.filter((other) => other === lower).length > 1) return `${name} appears twice.`;
  return null;
}

/** Extra request headers as name/value rows. */
export function HeadersField() {
  return (
    <Form.Item label="Custom Headers" extra="Sent with every request, e.g. X-Source: loyalty.">
      <Form.List name="headers">
        {(rows, { add, remove }) => (
          <>
            {rows.length === 0 && <Typography.Text type="secondary">No custom headers.</Typography.Text>}
            {rows.map((row, index) => (
              <Space key={row.key} align="start" style={{ display: 'flex' }}>
                <Form.Item
                  name={[row.name, 'name']}
                  dependencies={[['headers']]}
                  rules={[
                    ({ getFieldValue }) => ({
                      validator: (_, value: string | undefined) => {
                        const names = ((getFieldValue('headers') ?? []) as Array<{ name?: string }>).map((h) =>
                          (h?.name ?? '').trim().toLowerCase(),
                        );
                        const problem = checkHeaderName(value, names);
                        return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <Input aria-label={`Header ${index + 1} name`} placeholder="X-Source" style={{ width: 220 }} />
                </Form.Item>
                <Form.Item name={[row.name, 'value']}>
                  <Input aria-label={`Header ${index + 1} value`} placeholder="loyalty" style={{ width: 300 }} />
                </Form.Item>
                <Button onClick={() => remove(row.name)} aria-label={`Remove header ${index + 1}`}>
                  Remove
                </Button>
              </Space>
            ))}
            <div>
              <Button onClick={() => add({ name: '', value: '' })} style={{ marginTop: rows.length ? 0 : 8 }}>
                Add header
              </Button>
            </div>
          </>
        )}
      </Form.List>
    </Form.Item>
  );
}
