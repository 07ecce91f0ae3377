import { Button, Form, Input, Space, type FormRule } from 'antd';
import type { AuthType, Webhook } from '../api/types';
import { generateSigningSecret } from './wizard-values';

const SIGNATURE_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** The fields the chosen authentication needs: JWT secret; user name and password; signing secret. */
export function AuthFields({ original }: { original?: Webhook }) {
  const form = Form.useFormInstance();
  const type = Form.useWatch(['auth', 'type'], form) as AuthType | undefined;
  // Secrets are never echoed: when editing, an empty secret keeps the saved one.
  const keepsSaved = Boolean(original && original.auth.type === type);
  const hint = original?.auth.secret_hint;
  const required = (message: string): FormRule[] => (keepsSaved ? [] : [{ required: true, whitespace: true, message }]);

  if (type === 'jwt') {
    return (
      <Form.Item
        label="Secret"
        name={['auth', 'secret']}
        rules={required('Enter the JWT secret.')}
        extra={keepsSaved ? `Leave empty to keep the saved secret (${hint ?? 'hidden'}).` : 'Requests carry a Bearer JWT (HS256) signed with this secret.'}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    );
  }
  if (type === 'basic') {
    return (
      <>
        <Form.Item label="User Name" name={['auth', 'username']} rules={[{ required: true, whitespace: true, message: 'Enter the user name.' }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="Password"
          name={['auth', 'password']}
          rules={required('Enter the password.')}
          extra={keepsSaved ? 'Leave empty to keep the saved password.' : undefined}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </>
    );
  }
  if (type === 'signature') {
    return (
      <Form.Item
        label="Secret"
        htmlFor="auth_secret"
        extra={
          keepsSaved
            ? `Leave empty to keep the saved secret (${hint ?? 'hidden'}).`
            : 'Standard Webhooks signing secret (whsec_…). Leave empty and Herald generates one; it is shown after Save.'
        }
      >
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item
            name={['auth', 'secret']}
            noStyle
            rules={[{ pattern: SIGNATURE_SECRET, message: 'Use whsec_ followed by base64, or press Generate.' }]}
          >
            <Input id="auth_secret" autoComplete="off" className="mono" />
          </Form.Item>
          <Button onClick={() => form.setFields([{ name: ['auth', 'secret'], value: generateSigningSecret(), errors: [] }])}>
            Generate
          </Button>
        </Space.Compact>
      </Form.Item>
    );
  }
  return null;
}
