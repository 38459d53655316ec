/**
 * Renders infra/template.yaml for one set of parameter values, as CloudFormation would see it:
 * conditions evaluated, `Fn::If` resolved, resources whose condition is false dropped, the values set
 * as the parameters' defaults. Used to check both deployment modes (new table / adopted table).
 */
import { readFileSync } from 'node:fs';
import { type CollectionTag, parse, type ScalarTag, YAMLSeq } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: parsed CloudFormation is walked freely.
export type Node = Record<string, any>;

const scalar = (tag: string, key: string): ScalarTag =>
  ({ tag, resolve: (value: string) => ({ [key]: value }) }) as unknown as ScalarTag;
const seq = (tag: string, key: string): CollectionTag =>
  ({
    tag,
    collection: 'seq',
    nodeClass: YAMLSeq,
    resolve: (value: YAMLSeq) => ({ [key]: value.toJSON() }),
  }) as unknown as CollectionTag;

/** CloudFormation short-form intrinsics as `{ Ref }` / `{ 'Fn::X': ... }` objects. */
export const CFN_TAGS = [
  scalar('!Ref', 'Ref'),
  scalar('!Sub', 'Fn::Sub'),
  seq('!Sub', 'Fn::Sub'),
  scalar('!GetAtt', 'Fn::GetAtt'),
  seq('!If', 'Fn::If'),
  seq('!Equals', 'Fn::Equals'),
  seq('!Not', 'Fn::Not'),
  seq('!Or', 'Fn::Or'),
  seq('!And', 'Fn::And'),
  scalar('!Condition', 'Condition'),
];

/** The template as parsed JSON. */
export function loadTemplate(path = new URL('../../../infra/template.yaml', import.meta.url)): Node {
  return parse(readFileSync(path, 'utf8'), { customTags: CFN_TAGS }) as Node;
}

/** The value of every parameter: the given ones, else the defaults. */
function parameterValues(template: Node, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters as Record<string, Node>)) {
    out[name] = given[name] ?? String(p.Default ?? '');
  }
  for (const name of Object.keys(given)) {
    if (!(name in out)) throw new Error(`unknown parameter ${name}`);
  }
  return out;
}

/** Evaluates a condition expression (Equals, Not, Or, And, Condition, Ref to a parameter). */
export function evaluate(expr: unknown, params: Record<string, string>, conditions: Node): unknown {
  if (typeof expr !== 'object' || expr === null) return expr;
  const node = expr as Node;
  if ('Ref' in node) return params[node.Ref] ?? node;
  if ('Fn::Equals' in node) {
    const [a, b] = node['Fn::Equals'] as unknown[];
    return evaluate(a, params, conditions) === evaluate(b, params, conditions);
  }
  if ('Fn::Not' in node) return !evaluate((node['Fn::Not'] as unknown[])[0], params, conditions);
  if ('Fn::Or' in node) return (node['Fn::Or'] as unknown[]).some((e) => evaluate(e, params, conditions));
  if ('Fn::And' in node) return (node['Fn::And'] as unknown[]).every((e) => evaluate(e, params, conditions));
  if ('Condition' in node && typeof node.Condition === 'string') {
    return evaluate(conditions[node.Condition], params, conditions);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
}

/** The template for `given` parameter values. */
export function render(template: Node, given: Record<string, string>) {
  const params = parameterValues(template, given);
  const conditionExprs = (template.Conditions ?? {}) as Node;
  const truth: Record<string, boolean> = {};
  for (const name of Object.keys(conditionExprs)) {
    truth[name] = evaluate(conditionExprs[name], params, conditionExprs) === true;
  }
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const node = value as Node;
    if ('Fn::If' in node) {
      const [name, yes, no] = node['Fn::If'] as [string, unknown, unknown];
      return resolve(truth[name] ? yes : no);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  const resources: Record<string, Node> = {};
  for (const [name, resource] of Object.entries(template.Resources as Record<string, Node>)) {
    if (resource.Condition !== undefined && !truth[resource.Condition]) continue;
    const { Condition: _dropped, ...rest } = resource;
    resources[name] = resolve(rest) as Node;
  }
  const outputs = Object.fromEntries(
    Object.entries((template.Outputs ?? {}) as Record<string, Node>).map(([k, v]) => [k, resolve(v)]),
  );
  const parameters = Object.fromEntries(
    Object.entries(template.Parameters as Record<string, Node>).map(([k, p]) => [
      k,
      { ...p, Default: p.Type === 'Number' ? Number(params[k]) : params[k] },
    ]),
  );
  /** Which `Rules` assertions fail for these values (their descriptions). */
  const failedRules: string[] = [];
  for (const rule of Object.values((template.Rules ?? {}) as Record<string, Node>)) {
    if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, params, conditionExprs) !== true)
      continue;
    for (const assertion of rule.Assertions as Node[]) {
      if (evaluate(assertion.Assert, params, conditionExprs) !== true)
        failedRules.push(assertion.AssertDescription);
    }
  }
  const rendered: Node = {
    ...template,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
  delete rendered.Conditions;
  return { template: rendered, conditions: truth, failedRules };
}
