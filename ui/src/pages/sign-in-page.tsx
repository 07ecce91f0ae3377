import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { ApiError, errorMessage, request } from '../api/client';
import { getSignInNotice, setApiKey } from '../api/session';
import { navigate, safeNext } from '../router';

export function SignInPage({ next }: { next: string | null }) {
  const [notice] = useState(getSignInNotice);
  const [error, setError] = useState<string | null>(null);
  const [isChecking, setChecking] = useState(false);

  const signIn = async ({ apiKey }: { apiKey: string }) => {
    const key = apiKey.trim();
    setChecking(true);
    setError(null);
    try {
      await request('GET', '/webhooks?limit=1', { apiKey: key });
      setApiKey(key);
      navigate(safeNext(next), { replace: true });
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'That API key was not accepted. Use the key Herald printed on its first start, or the value of HERALD_API_KEY.'
          : errorMessage(failure),
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="sign-in">
      <Card style={{ width: 420 }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          Herald
        </Typography.Title>
        <Typography.Paragraph type="secondary">Sign in with the admin API key to manage webhooks.</Typography.Paragraph>
        {notice && !error && <Alert type="warning" showIcon title={notice} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={signIn} requiredMark={false}>
          <Form.Item label="API key" name="apiKey" rules={[{ required: true, whitespace: true, message: 'Enter the API key.' }]}>
            <Input.Password autoFocus autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={isChecking}>
            Sign in
          </Button>
        </Form>
      </Card>
    </main>
  );
}
