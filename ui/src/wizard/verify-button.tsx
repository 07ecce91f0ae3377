import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Space } from 'antd';
import { ApiError, errorMessage } from '../api/client';
import { useEventTypes } from '../api/event-types';
import type { TestResult, Webhook } from '../api/types';
import { testUnsavedWebhook } from '../api/webhooks';
import { TestResultAlert } from '../components/test-result';
import { mapFieldErrors, STEP_FIELDS, stepOf } from './api-errors';
import { authPatch, toCreateBody, type WizardValues } from './wizard-values';

const AUTH_FIELDS = STEP_FIELDS[0].filter((name) => Array.isArray(name) || name === 'url');

/** Sends an example event to the URL as entered (unsaved), with the chosen authentication. */
export function VerifyButton({ original }: { original?: Webhook }) {
  const form = Form.useFormInstance<WizardValues>();
  const catalog = useEventTypes();
  const [failure, setFailure] = useState<string | null>(null);
  const verify = useMutation({ mutationFn: (values: WizardValues) => runTest(values, original, catalog.data?.[0]?.event_type) });

  // A result is only true of what was tested: clear it when the URL or authentication changes.
  const url = Form.useWatch('url', form);
  const auth = JSON.stringify(Form.useWatch('auth', form) ?? {});
  const { reset } = verify;
  useEffect(() => {
    reset();
    setFailure(null);
  }, [url, auth, reset]);

  const onVerify = async () => {
    setFailure(null);
    try {
      await form.validateFields(AUTH_FIELDS);
    } catch {
      return;
    }
    const values = form.getFieldsValue(true) as WizardValues;
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
        {verify.data && <TestResultAlert result={verify.data} />}
        {failure && <Alert type="error" showIcon role="alert" title="Could not verify" description={failure} />}
      </Space>
    </Form.Item>
  );
}

async function runTest(values: WizardValues, original: Webhook | undefined, fallbackType: string | undefined): Promise<TestResult> {
  const body = toCreateBody({ ...values, filter_text: '' });
  body.name = body.name || 'Unsaved webhook';
  if (!body.event_types.length && fallbackType) body.event_types = [fallbackType];
  // Editing without retyping the secret or password: the server tests with the saved one.
  if (original) return testUnsavedWebhook({ ...body, auth: authPatch(values.auth), event_type: body.event_types[0], id: original.id });
  return testUnsavedWebhook({ ...body, event_type: body.event_types[0] });
}
