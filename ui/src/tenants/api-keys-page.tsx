// API keys (admin keys only, API.md §8): list per tenant, create (the key is shown once, with a copy
// button), revoke. Every process refuses a revoked key within 2 s.
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { errorMessage } from '../api/client';
import { useApiKeys, useCreateApiKey, useRevokeApiKey, useTenants, type ApiKey, type CreatedApiKey } from '../api/tenants';
import { ErrorState } from '../components/error-state';
import { LocalTime } from '../components/local-time';

const ALL = '__all__';
const SCOPE_OPTIONS = [
  { value: 'manage', label: 'manage: every webhook, event and delivery route of the tenant' },
  { value: 'read', label: 'read: look only (no secrets)' },
  { value: 'ingest', label: 'ingest: send events only' },
  { value: 'admin', label: 'admin: everything in every tenant (no tenant)' },
];

export function ApiKeysPage() {
  const tenants = useTenants();
  const [filter, setFilter] = useState<string>(ALL);
  const keys = useApiKeys(filter === ALL ? undefined : filter);
  const [isCreating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const tenantOptions = (tenants.data ?? []).map((t) => ({ value: t.id, label: t.name === t.id ? t.id : `${t.name} (${t.id})` }));
  return (
    <section aria-label="API Keys">
      <div className="page-toolbar">
        <div className="filters">
          <div>
            <label htmlFor="api-key-tenant-filter">Tenant</label>
            <Select
              id="api-key-tenant-filter"
              aria-label="Show keys of tenant"
              value={filter}
              onChange={setFilter}
              options={[{ value: ALL, label: 'All tenants' }, ...tenantOptions]}
              style={{ minWidth: 220 }}
            />
          </div>
        </div>
        <Button type="primary" onClick={() => setCreating(true)}>
          Create API Key
        </Button>
      </div>
      {keys.isError ? (
        <ErrorState error={keys.error} what="API keys" onRetry={() => keys.refetch()} />
      ) : (
        <Table<ApiKey>
          rowKey="id"
          loading={keys.isPending}
          dataSource={keys.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: 'Name', dataIndex: 'name' },
            { title: 'Id', dataIndex: 'id', render: (id: string) => <code>{id}</code> },
            { title: 'Scopes', dataIndex: 'scopes', render: (scopes: string[]) => scopes.map((s) => <Tag key={s}>{s}</Tag>) },
            { title: 'Tenant', dataIndex: 'tenant_id', render: (t: string | null) => (t ? <code>{t}</code> : <Typography.Text type="secondary">every tenant</Typography.Text>) },
            { title: 'Created', dataIndex: 'created_at', width: 170, render: (at: string) => <LocalTime value={at} /> },
            { title: 'Last used', dataIndex: 'last_used_at', width: 170, render: (at: string | null) => <LocalTime value={at} /> },
            { title: 'Actions', key: 'actions', width: 110, render: (_: unknown, key) => <RevokeButton apiKey={key} /> },
          ]}
        />
      )}
      {isCreating && (
        <CreateKeyModal
          tenantOptions={tenantOptions}
          defaultTenant={filter === ALL ? 'default' : filter}
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      )}
      {created && <KeyOnceModal apiKey={created} onClose={() => setCreated(null)} />}
    </section>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const { message } = App.useApp();
  const revoke = useRevokeApiKey();
  return (
    <Popconfirm
      title={`Revoke ${apiKey.name}?`}
      description="Every Herald process refuses this key within 2 seconds. This cannot be undone."
      okText="Revoke"
      okButtonProps={{ danger: true }}
      onConfirm={() =>
        revoke.mutateAsync(apiKey.id).then(
          () => message.success(`Revoked ${apiKey.name}.`),
          (error) => message.error(`Could not revoke ${apiKey.name}: ${errorMessage(error)}`),
        )
      }
    >
      <Button type="link" size="small" danger aria-label={`Revoke ${apiKey.name}`} loading={revoke.isPending}>
        Revoke
      </Button>
    </Popconfirm>
  );
}

interface KeyForm {
  name: string;
  scopes: string[];
  tenant_id?: string;
}

function CreateKeyModal(props: {
  tenantOptions: Array<{ value: string; label: string }>;
  defaultTenant: string;
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}) {
  const [form] = Form.useForm<KeyForm>();
  const create = useCreateApiKey();
  const [error, setError] = useState<string | null>(null);
  const scopes = Form.useWatch('scopes', form) ?? [];
  const isAdmin = scopes.includes('admin');
  const submit = async (values: KeyForm) => {
    setError(null);
    try {
      const made = await create.mutateAsync({
        name: values.name.trim(),
        scopes: values.scopes,
        ...(values.scopes.includes('admin') ? {} : { tenant_id: values.tenant_id }),
      });
      props.onCreated(made);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <Modal open title="Create API Key" okText="Create" onOk={() => form.submit()} confirmLoading={create.isPending} onCancel={props.onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} initialValues={{ scopes: ['manage'], tenant_id: props.defaultTenant }}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Enter a name, e.g. the system that will use the key.' }]}>
          <Input autoFocus placeholder="Acme back office" />
        </Form.Item>
        <Form.Item label="Scopes" name="scopes" rules={[{ required: true, type: 'array', min: 1, message: 'Choose at least one scope.' }]}>
          <Checkbox.Group options={SCOPE_OPTIONS} className="scope-options" />
        </Form.Item>
        {!isAdmin && (
          <Form.Item label="Tenant" name="tenant_id" rules={[{ required: true, message: 'Choose the tenant this key acts in.' }]}>
            <Select aria-label="Key tenant" options={props.tenantOptions} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function KeyOnceModal({ apiKey, onClose }: { apiKey: CreatedApiKey; onClose: () => void }) {
  return (
    <Modal
      open
      title={`API key ${apiKey.name} created`}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          I have copied the key
        </Button>
      }
      maskClosable={false}
    >
      <Alert
        type="warning"
        showIcon
        title="Copy this key now: Herald shows it only once"
        description="Only a hash is stored. If the key is lost, revoke it and create a new one."
        style={{ marginBottom: 16 }}
      />
      <Typography.Paragraph copyable={{ text: apiKey.key, tooltips: ['Copy key', 'Copied'] }} className="new-api-key">
        <code data-testid="new-api-key">{apiKey.key}</code>
      </Typography.Paragraph>
    </Modal>
  );
}
