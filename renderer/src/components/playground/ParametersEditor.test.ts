// @vitest-environment happy-dom
/**
 * The playground's request parameters: rows added and checked in place (a reserved name, a
 * duplicate, a value that is not an integer keep Run from sending), sent as RunRequest.parameters
 * with their kinds, and the result shows the model's response parameters beside the ones sent.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { RunRequest } from '@contract/lab-api';
import { setLocale } from '../../i18n';
import { parameterIssue, parametersRequest, rowsFrom, newParameterRow } from './parameters-form';
import { setupPanelTests } from './panel-test-setup';
import RunCompare from './RunCompare.vue';
import RunPanel from './RunPanel.vue';
import { fakeClient, quickDeploy, runResult, TensorViewStub } from './test-support';

const mountPanel = setupPanelTests(RunPanel, TensorViewStub);

describe('request parameters in the run panel', () => {
  it('starts folded with none; rows are checked in place and keep Run from sending until fixed', async () => {
    const client = fakeClient({ runModel: (req: RunRequest) => runResult(req.runId!, quickDeploy, { requestParameters: req.parameters, responseParameters: { echoed: true, n: 2 } }) });
    const w = await mountPanel(quickDeploy, client);
    expect(w.get('[data-testid=run-parameters]').text()).toContain('Request parameters');
    expect(w.get('[data-testid=run-parameters-empty]').text()).toContain('request.parameters()');

    await w.get('[data-testid=run-param-add]').trigger('click');
    expect(w.get('[data-testid=run-param-issue-0]').text()).toBe('Give the parameter a name.');
    expect(w.get('[data-testid=run-button]').attributes('disabled')).toBeDefined();
    const row = w.get('[data-testid=run-param-0]');
    await row.get('input.key').setValue('triton_x');
    expect(w.get('[data-testid=run-param-issue-0]').text()).toContain('Triton keeps this name');
    await row.get('input.key').setValue('custom');
    await row.get('input.value').setValue('yes');
    expect(w.find('[data-testid=run-param-issue-0]').exists()).toBe(false);

    await w.get('[data-testid=run-param-add]').trigger('click');
    const second = w.get('[data-testid=run-param-1]');
    await second.get('input.key').setValue('n');
    await second.get('select').setValue('int');
    await second.get('input.value').setValue('1.5');
    expect(w.get('[data-testid=run-param-issue-1]').text()).toContain('Not an integer');
    await second.get('input.value').setValue('-42');

    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.parameters).toEqual({ custom: 'yes', n: -42 });
    expect(w.get('[data-testid=run-params-response]').text()).toContain('echoed');
    expect(w.get('[data-testid=run-params-response]').text()).toContain('true');
    expect(w.get('[data-testid=run-params-request]').text()).toContain('"yes"');
  });

  it('reads in 简体中文', async () => {
    setLocale('zh-CN');
    try {
      const w = await mountPanel(quickDeploy, fakeClient({}));
      expect(w.get('[data-testid=run-parameters]').text()).toContain('请求参数');
    } finally {
      setLocale('en');
    }
  });
});

describe('parameters-form', () => {
  it('builds the request with each kind, finds duplicates, and rebuilds rows from a run', () => {
    const rows = rowsFrom({ s: 'x', i: 7, b: true });
    expect(rows.map((r) => r.kind)).toEqual(['string', 'int', 'bool']);
    expect(parametersRequest(rows)).toEqual({ s: 'x', i: 7, b: true });
    expect(parametersRequest([])).toBeUndefined();
    const dup = [...rows, { ...newParameterRow(), key: 's' }];
    expect(parameterIssue(dup, 3)).toBe('runs.params.issue.duplicate');
    expect(parameterIssue([{ ...newParameterRow(), key: 'sequence_id' }], 0)).toBe('runs.params.issue.reserved');
    expect(parameterIssue([{ ...newParameterRow(), key: 'big', kind: 'int', text: '9007199254740993' }], 0)).toBe('runs.params.issue.notInt');
  });
});

describe('comparing runs', () => {
  it("shows both runs' parameters by name, differences marked", () => {
    const a = runResult('a', quickDeploy, { requestParameters: { k: 'x' }, responseParameters: { n: 1, same: true } });
    const b = runResult('b', quickDeploy, { responseParameters: { n: 2, same: true } });
    const w = mount(RunCompare, { props: { a, b }, global: { stubs: { TensorView: TensorViewStub } } });
    const rows = w.get('[data-testid=compare-params-response]').findAll('tr');
    expect(rows.map((r) => [r.text(), r.classes('differs')])).toEqual([
      ['n12', true],
      ['sametruetrue', false],
    ]);
    expect(w.get('[data-testid=compare-params-request]').text()).toContain('"x"');
  });
});
