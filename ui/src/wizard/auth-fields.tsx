import type { ReactNode } from 'react';
import { Button, Form, Input, Space, type FormRule } from 'antd';
import type { AuthType, Webhook } from '../api/types';
import { generateJwtSecret, generateSigningSecret } from './wizard-values';

const SIGNATURE_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const SECRET_ID = 'auth_secret';

/** The fields the chosen authentication needs: JWT secret; user name and password; signing secret. */
export function AuthFields({ original }: { original?: Webhook }) {
  const form = Form.useFormInstance();
  const type = Form.useWatch(['auth', 'type'], form) as AuthType | undefined;
  // Secrets are never echoed: when editing, an empty secret keeps the saved one.
  const keepsSaved = Boolean(original && original.auth.type === type);
  const hint = original?.auth.secret_hint;
  const keepText = `Leave empty to keep the saved secret (${hint ?? 'hidden'}).`;
  const required = (message: string): FormRule[] => (keepsSaved ? [] : [{ required: true, whitespace: true, message }]);

  if (type === 'jwt') {
    return (
      <SecretField
        isRequired={!keepsSaved}
        rules={required('Enter the JWT secret, or press Generate.')}
        generate={generateJwtSecret}
        extra={keepsSaved ? keepText : 'Requests carry a Bearer JWT (HS256) signed with this secret. It is shown once more after Save.'}
      >
        <Input.Password id={SECRET_ID} autoComplete="new-password" />
      </SecretField>
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
      <SecretField
        rules={[{ pattern: SIGNATURE_SECRET, message: 'Use whsec_ followed by base64, or press Generate.' }]}
        generate={generateSigningSecret}
        extra={
          keepsSaved
            ? keepText
            : 'Standard Webhooks signing secret (whsec_…). Left empty, one is generated: by Verify (and kept here) or by Herald on Save. It is shown after Save.'
        }
      >
        <Input id={SECRET_ID} autoComplete="off" className="mono" />
      </SecretField>
    );
  }
  return null;
}

/** auth.secret with a Generate button beside it (random bytes from the browser's crypto). */
function SecretField(props: { rules: FormRule[]; generate: () => string; extra: ReactNode; isRequired?: boolean; children: ReactNode }) {
  const form = Form.useFormInstance();
  return (
    <Form.Item label="Secret" htmlFor={SECRET_ID} required={props.isRequired} extra={props.extra}>
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item name={['auth', 'secret']} noStyle rules={props.rules}>
          {props.children}
        </Form.Item>
        <Button onClick={() => form.setFields([{ name: ['auth', 'secret'], value: props.generate(), errors: [] }])}>Generate</Button>
      </Space.Compact>
    </Form.Item>
  );
}
