import { Typography } from 'antd';

/** The new webhook's secret, shown once after Save, with a copy button. */
export function SecretNotice({ secret, authType }: { secret: string; authType: 'jwt' | 'signature' }) {
  return (
    <div>
      <Typography.Paragraph>
        {authType === 'signature'
          ? 'Receivers verify the webhook-signature header with this secret (Standard Webhooks).'
          : 'Receivers verify the Bearer JWT (HS256) with this secret.'}{' '}
        Copy it now and store it with the receiver.
      </Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: secret, tooltips: ['Copy secret', 'Copied'] }} className="mono" aria-label="Webhook secret">
        {secret}
      </Typography.Paragraph>
    </div>
  );
}
