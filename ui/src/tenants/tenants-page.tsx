// Tenants (admin keys only, API.md §8): list, create with the platform's brand id and a name,
// rename, delete (Herald refuses while the tenant has webhooks: the reason is shown as it comes).
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Space, Table } from 'antd';
import { ApiError, errorMessage } from '../api/client';
import { useCreateTenant, useDeleteTenant, useRenameTenant, useTenants, type Tenant } from '../api/tenants';
import { ErrorState } from '../components/error-state';
import { LocalTime } from '../components/local-time';

export function TenantsPage() {
  const tenants = useTenants();
  const [isCreating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Tenant | null>(null);
  return (
    <section aria-label="Tenants">
      <div className="page-toolbar">
        <span className="page-hint">Each tenant is one loyalty program or brand: its webhooks, events and deliveries are its own.</span>
        <Button type="primary" onClick={() => setCreating(true)}>
          Create Tenant
        </Button>
      </div>
      {tenants.isError ? (
        <ErrorState error={tenants.error} what="tenants" onRetry={() => tenants.refetch()} />
      ) : (
        <Table<Tenant>
          rowKey="id"
          loading={tenants.isPending}
          dataSource={tenants.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: 'Id', dataIndex: 'id', render: (id: string) => <code>{id}</code> },
            { title: 'Name', dataIndex: 'name' },
            { title: 'Created', dataIndex: 'created_at', width: 180, render: (at: string) => <LocalTime value={at} /> },
            { title: 'Actions', key: 'actions', width: 180, render: (_: unknown, tenant) => <TenantActions tenant={tenant} onRename={() => setRenaming(tenant)} /> },
          ]}
        />
      )}
      {isCreating && <CreateTenantModal onClose={() => setCreating(false)} />}
      {renaming && <RenameTenantModal tenant={renaming} onClose={() => setRenaming(null)} />}
    </section>
  );
}

function TenantActions({ tenant, onRename }: { tenant: Tenant; onRename: () => void }) {
  const { message, modal } = App.useApp();
  const remove = useDeleteTenant();
  const deleteTenant = () =>
    remove.mutateAsync(tenant.id).then(
      () => {
        message.success(`Deleted tenant ${tenant.id}.`);
      },
      (error) => {
        // The 409's own words: it still has webhooks, or it is "default".
        modal.error({ title: `Tenant ${tenant.id} was not deleted`, content: errorMessage(error) });
      },
    );
  return (
    <Space size={0}>
      <Button type="link" size="small" aria-label={`Rename ${tenant.id}`} onClick={onRename}>
        Rename
      </Button>
      <Popconfirm
        title={`Delete tenant ${tenant.id}?`}
        description="Its events and deliveries are deleted and its API keys revoked. A tenant with webhooks cannot be deleted."
        okText="Delete"
        okButtonProps={{ danger: true }}
        onConfirm={deleteTenant}
      >
        <Button type="link" size="small" danger aria-label={`Delete ${tenant.id}`} loading={remove.isPending}>
          Delete
        </Button>
      </Popconfirm>
    </Space>
  );
}

function CreateTenantModal({ onClose }: { onClose: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ id: string; name: string }>();
  const create = useCreateTenant();
  const [error, setError] = useState<string | null>(null);
  const submit = async ({ id, name }: { id: string; name: string }) => {
    setError(null);
    try {
      const made = await create.mutateAsync({ name: name.trim(), ...(id?.trim() ? { id: id.trim() } : {}) });
      message.success(`Created tenant ${made.id}.`);
      onClose();
    } catch (failure) {
      // A taken or malformed id, an empty name: shown under the field the API names.
      const fields = failure instanceof ApiError ? failure.details.filter((d) => d.field === 'id' || d.field === 'name') : [];
      if (fields.length > 0) form.setFields(fields.map((d) => ({ name: d.field as 'id' | 'name', errors: [d.message] })));
      else setError(errorMessage(failure));
    }
  };
  return (
    <Modal open title="Create Tenant" okText="Create" onOk={() => form.submit()} confirmLoading={create.isPending} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label="Id" name="id" extra="Your platform's own brand or site id (lowercase letters, digits, _ and -). Left empty, Herald makes one (tn_…).">
          <Input autoFocus placeholder="acme-rewards" />
        </Form.Item>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Enter a name.' }]}>
          <Input placeholder="Acme Rewards" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RenameTenantModal({ tenant, onClose }: { tenant: Tenant; onClose: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const rename = useRenameTenant();
  const [error, setError] = useState<string | null>(null);
  const submit = async ({ name }: { name: string }) => {
    setError(null);
    try {
      await rename.mutateAsync({ id: tenant.id, name: name.trim() });
      message.success(`Renamed ${tenant.id}.`);
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <Modal open title={`Rename ${tenant.id}`} okText="Save" onOk={() => form.submit()} confirmLoading={rename.isPending} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} initialValues={{ name: tenant.name }}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Enter a name.' }]}>
          <Input autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}
