import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Space, type FormInstance } from 'antd';
import { ApiError, errorMessage } from '../api/client';
import { useEventTypes } from '../api/event-types';
import type { TestResult, Webhook } from '../api/types';
import { testUnsavedWebhook } from '../api/webhooks';
import { TestResultAlert } from '../components/test-result';
import { mapFieldErrors, STEP_FIELDS, stepOf } from './api-errors';
import { authPatch, generateSigningSecret, toCreateBody, type WizardValues } from './wizard-values';

const AUTH_FIELDS = STEP_FIELDS[0].filter((name) => Array.isArray(name) || name === 'url');

/** What a Verify result is true of: the URL and the authentication as tested. */
function subjectOf(url: unknown, auth: unknown): string {
  return JSON.stringify([url ?? '', auth ?? {}]);
}

/** Sends an example event to the URL as entered (unsaved), with the chosen authentication. */
export function VerifyButton({ original }: { original?: Webhook }) {
  const form = Form.useFormInstance<WizardValues>();
  const catalog = useEventTypes();
  const [failure, setFailure] = useState<string | null>(null);
  const [testedSubject, setTestedSubject] = useState<string | null>(null);
  const verify = useMutation({ mutationFn: (values: WizardValues) => runTest(values, original, catalog.data?.[0]?.event_type) });

  // A result is only shown while the URL and authentication are still what was tested.
  // `preserve`: the whole stored value, as getFieldsValue(true) gives it below (not only mounted fields).
  const watched = { form, preserve: true };
  const isCurrent = testedSubject === subjectOf(Form.useWatch('url', watched), Form.useWatch('auth', watched));

  const onVerify = async () => {
    setFailure(null);
    try {
      await form.validateFields(AUTH_FIELDS);
    } catch {
      return;
    }
    keepGeneratedSecret(form, original);
    const values = form.getFieldsValue(true) as WizardValues;
    setTestedSubject(subjectOf(values.url, values.auth));
    verify.mutate(values, {
      onError: (error) => {
        if (!(error instanceof ApiError) || error.details.length === 0) return setFailure(errorMessage(error));
        const mapped = mapFieldErrors(error.details, values);
        const here = mapped.fields.filter((field) => stepOf(field.name) === 0);
        form.setFields(here);
        const elsewhere = [...mapped.fields.filter((field) => stepOf(field.name) !== 0).flatMap((f) => f.errors), ...mapped.unmapped];
        setFailure(here.length && !elsewhere.length ? null : [error.message, ...elsewhere].join(' '));
      },
    });
  };

  return (
    <Form.Item label=" " colon={false}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Button onClick={onVerify} loading={verify.isPending}>
          Verify
        </Button>
        {isCurrent && verify.data && <TestResultAlert result={verify.data} />}
        {isCurrent && failure && <Alert type="error" showIcon role="alert" title="Could not verify" description={failure} />}
      </Space>
    </Form.Item>
  );
}

/**
 * Signature auth with no secret typed and none saved: make the secret now and put it in the form, so the
 * receiver can check what Verify sends with the secret the webhook is then saved with.
 */
function keepGeneratedSecret(form: FormInstance<WizardValues>, original: Webhook | undefined): void {
  const auth = form.getFieldValue('auth') as WizardValues['auth'] | undefined;
  if (auth?.type !== 'signature' || auth.secret || original?.auth.type === 'signature') return;
  form.setFields([{ name: ['auth', 'secret'], value: generateSigningSecret(), errors: [] }]);
}

async function runTest(values: WizardValues, original: Webhook | undefined, fallbackType: string | undefined): Promise<TestResult> {
  const body = toCreateBody({ ...values, filter_text: '' });
  body.name = body.name || 'Unsaved webhook';
  if (!body.event_types.length && fallbackType) body.event_types = [fallbackType];
  // Editing without retyping the secret or password: the server tests with the saved one.
  if (original) return testUnsavedWebhook({ ...body, auth: authPatch(values.auth), event_type: body.event_types[0], id: original.id });
  return testUnsavedWebhook({ ...body, event_type: body.event_types[0] });
}
