// The three-step Create/Edit Webhook wizard. One form across all steps: every step stays mounted
// (hidden when not current), so nothing typed is lost when a step fails validation.
import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Space, Steps } from 'antd';
import type { NamePath } from 'antd/es/form/interface';
import { ApiError, errorMessage } from '../api/client';
import type { Webhook } from '../api/types';
import { createWebhook, getWebhookSecret, updateWebhook, webhookKeys } from '../api/webhooks';
import { navigate } from '../router';
import { mapFieldErrors, STEP_FIELDS, STEP_TITLES, stepOf } from './api-errors';
import { EndpointStep } from './endpoint-step';
import { EventsStep } from './events-step';
import { RetriesStep } from './retries-step';
import { SecretNotice } from './secret-notice';
import { isAuthChanged, isFormChanged, toCreateBody, toPatchBody, type WizardValues } from './wizard-values';

interface WizardProps {
  initialValues: WizardValues;
  /** The saved webhook when editing. */
  original?: Webhook;
}

export function WebhookWizard({ initialValues, original }: WizardProps) {
  const [form] = Form.useForm<WizardValues>();
  const [step, setStep] = useState(0);
  const [focusTarget, setFocusTarget] = useState<NamePath | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const { message, modal } = App.useApp();

  // After jumping to the step that holds an error, bring that field into view and focus it.
  useEffect(() => {
    if (focusTarget === null) return;
    form.scrollToField(focusTarget, { focus: true, block: 'center' });
    setFocusTarget(null);
  }, [focusTarget, step, form]);

  const showField = (name: NamePath) => {
    setStep(stepOf(name));
    setFocusTarget(name);
  };

  const save = useMutation({
    mutationFn: (values: WizardValues) =>
      original ? updateWebhook(original.id, toPatchBody(values, original)) : createWebhook(toCreateBody(values)),
  });

  const next = async () => {
    try {
      await form.validateFields(STEP_FIELDS[step]);
      setStep(step + 1);
    } catch {
      // The step's fields now show their errors.
    }
  };

  const onSave = async () => {
    setFormError(null);
    try {
      await form.validateFields();
    } catch (failure) {
      const first = (failure as { errorFields?: Array<{ name: NamePath }> }).errorFields?.[0]?.name;
      if (first) showField(first);
      return;
    }
    const values = form.getFieldsValue(true) as WizardValues;
    save.mutate(values, {
      onSuccess: async (webhook) => {
        await queryClient.invalidateQueries({ queryKey: webhookKeys.all });
        message.success(`${original ? 'Saved' : 'Created'} ${webhook.name}.`);
        navigate('/webhooks');
        const authType = webhook.auth.type;
        const hasNewSecret = (authType === 'signature' || authType === 'jwt') && (!original || isAuthChanged(values, original));
        if (!hasNewSecret) return;
        const secret = await getWebhookSecret(webhook.id).catch(() => null);
        if (secret) {
          modal.success({
            title: `Secret for ${webhook.name}`,
            content: <SecretNotice secret={secret} authType={authType} />,
            okText: 'Done',
            width: 560,
          });
        }
      },
      onError: (error) => {
        if (!(error instanceof ApiError) || (error.details.length === 0 && error.status !== 409)) {
          setFormError(errorMessage(error));
          return;
        }
        // A 409 is the duplicate name; anything with details names its fields.
        const details = error.details.length ? error.details : [{ field: 'name', message: error.message }];
        const mapped = mapFieldErrors(details, values);
        form.setFields(mapped.fields);
        if (mapped.fields.length) showField(mapped.fields[0].name);
        if (mapped.unmapped.length || !mapped.fields.length) setFormError([error.message, ...mapped.unmapped].join(' '));
      },
    });
  };

  // Cancel throws away what was typed: ask first, unless nothing changed.
  const onCancel = () => {
    if (!isFormChanged(form.getFieldsValue(true), initialValues)) return navigate('/webhooks');
    modal.confirm({
      title: original ? `Discard your changes to ${original.name}?` : 'Discard this new webhook?',
      content: original ? 'The saved webhook stays as it was.' : 'Nothing you entered is saved.',
      okText: 'Discard',
      okButtonProps: { danger: true },
      cancelText: 'Keep editing',
      onOk: () => navigate('/webhooks'),
    });
  };

  const stepStatus = (index: number) => (index === step ? 'process' : index < step ? 'finish' : 'wait');
  return (
    <Form<WizardValues>
      form={form}
      layout="horizontal"
      labelCol={{ flex: '200px' }}
      labelWrap
      initialValues={initialValues}
      aria-label={original ? `Edit ${original.name}` : 'Create Webhook'}
    >
      <Steps
        current={step}
        onChange={setStep}
        items={STEP_TITLES.map((title, index) => ({ title, status: stepStatus(index) }))}
        style={{ marginBottom: 24 }}
      />
      {formError && <Alert type="error" showIcon role="alert" title="Not saved" description={formError} style={{ marginBottom: 16 }} />}
      <div hidden={step !== 0}>
        <EndpointStep original={original} />
      </div>
      <div hidden={step !== 1}>
        <EventsStep />
      </div>
      <div hidden={step !== 2}>
        <RetriesStep />
      </div>
      <div className="wizard-footer">
        <Button onClick={onCancel}>Cancel</Button>
        <Space>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
          {step < STEP_TITLES.length - 1 && (
            <Button type="primary" onClick={next}>
              Next
            </Button>
          )}
          {step === STEP_TITLES.length - 1 && (
            <Button type="primary" onClick={onSave} loading={save.isPending}>
              Save
            </Button>
          )}
        </Space>
      </div>
    </Form>
  );
}
