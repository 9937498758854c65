/**
 * The second pass over a request (after check-types): Kinesis' model
 * constraints, reported the way Kinesis reports them, e.g.
 *
 *   2 validation errors detected: Value null at 'streamName' failed to
 *   satisfy constraint: Member must not be null; Value '0' at 'shardCount'
 *   failed to satisfy constraint: Member must have value greater than or
 *   equal to 1
 *
 * Paths use the member name with a lower-case first letter; list items are
 * `records.1.member.partitionKey` (1-based). Kinesis stops collecting after
 * VALIDATION_ERRORS_MAX clauses.
 */
import { KinesisError } from '../errors';
import { memberNames, type MemberRule, type Shape } from './shape';

/** Kinesis reports at most this many violated constraints in one message. */
export const VALIDATION_ERRORS_MAX = 10;

/**
 * Where a member is: its parent's place, and its name or (list items) its
 * 1-based index. The text ("records.1.member.data") is built only when a
 * clause needs it, and a place only for members that have members or
 * items of their own: a PutRecords of 500 records checks 1,500 members,
 * and a path string per member was most of this pass's garbage.
 */
interface Place {
  readonly parent: Place | undefined;
  /** The member's name as the shape has it; '' for a list item. */
  readonly name: string;
  /** A list item's 1-based index; 0 for a member. */
  readonly item: number;
}

function pathText(parent: Place | undefined, name: string, item: number): string {
  const head = parent === undefined ? '' : `${pathText(parent.parent, parent.name, parent.item)}.`;
  return item > 0 ? `${head}${item}.member` : `${head}${lowerFirst(name)}`;
}

/** Checks `value` (output of checkTypes) against `shape`; throws ValidationException listing every violation. */
export function checkConstraints(value: Readonly<Record<string, unknown>>, shape: Shape): void {
  const errors: string[] = [];
  checkShape(value, shape, undefined, errors);
  if (errors.length > 0) throw validationError(errors);
}

/** The ValidationException for a list of clauses ("N validation error(s) detected: a; b"). */
function validationError(clauses: readonly string[]): KinesisError {
  const n = clauses.length;
  return new KinesisError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${clauses.join('; ')}`);
}

/** One clause: "Value 'x' at 'path' failed to satisfy constraint: Member must ...". */
function constraintClause(valueText: string | null, path: string, constraint: string): string {
  const shown = valueText === null ? 'null' : `'${valueText}'`;
  return `Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function checkShape(value: Readonly<Record<string, unknown>>, shape: Shape, parent: Place | undefined, errors: string[]): void {
  for (const name of memberNames(shape)) {
    if (errors.length >= VALIDATION_ERRORS_MAX) return;
    checkMember(value[name], shape[name]!, parent, name, 0, value, errors);
  }
}

/** The member at `parent` + `name` / `item` (see Place). */
function checkMember(
  value: unknown, rule: MemberRule, parent: Place | undefined, name: string, item: number, parentValue: Readonly<Record<string, unknown>>, errors: string[],
): void {
  if (value === null || value === undefined) {
    const required = typeof rule.notNull === 'function' ? rule.notNull(parentValue) : rule.notNull === true;
    if (required) report(errors, ['Member must not be null'], value, rule, parent, name, item);
    return;
  }
  // Most members violate nothing: no array, and their path text is never made.
  const violated = violations(value, rule);
  if (violated) report(errors, violated, value, rule, parent, name, item);
  if (rule.type === 'List' && rule.item && Array.isArray(value) && rule.itemsReportedAsOne !== true) {
    const place: Place = { parent, name, item };
    for (let i = 0; i < value.length && errors.length < VALIDATION_ERRORS_MAX; i++) {
      checkMember(value[i], rule.item, place, '', i + 1, NO_PARENT, errors);
    }
  }
  if (rule.type === 'Structure' && rule.members) {
    checkShape(value as Readonly<Record<string, unknown>>, rule.members, { parent, name, item }, errors);
  }
}

/** A clause per violated constraint of the member at `parent` + `name` / `item`, up to VALIDATION_ERRORS_MAX in all. */
function report(
  errors: string[], constraints: readonly string[], value: unknown, rule: MemberRule, parent: Place | undefined, name: string, item: number,
): void {
  if (errors.length >= VALIDATION_ERRORS_MAX) return;
  const valueAt = valueText(value, rule);
  const path = pathText(parent, name, item);
  for (const constraint of constraints) {
    if (errors.length < VALIDATION_ERRORS_MAX) errors.push(constraintClause(valueAt, path, constraint));
  }
}

/** The parent of a list item (its notNull rules see no siblings). */
const NO_PARENT: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The constraints a present value violates, in Kinesis' order (undefined:
 * none, and nothing allocated); members and items of its own are checked
 * by the caller.
 */
function violations(value: unknown, rule: MemberRule): string[] | undefined {
  let out: string[] | undefined;
  if (typeof value === 'number') {
    if (rule.min !== undefined && value < rule.min) out = withClause(out, `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) out = withClause(out, `Member must have value less than or equal to ${rule.max}`);
  }
  if (typeof value === 'string' && rule.pattern !== undefined && !anchored(rule.pattern).test(value)) {
    out = withClause(out, `Member must satisfy regular expression pattern: ${rule.pattern}`);
  }
  const length = rule.type === 'Map' ? Object.keys(value as object).length : lengthOf(value);
  if (rule.lengthMin !== undefined && length < rule.lengthMin) out = withClause(out, `Member must have length greater than or equal to ${rule.lengthMin}`);
  if (rule.lengthMax !== undefined && length > rule.lengthMax) out = withClause(out, `Member must have length less than or equal to ${rule.lengthMax}`);
  if (rule.enum !== undefined && typeof value === 'string' && !rule.enum.includes(value)) {
    out = withClause(out, `Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
  }
  if (rule.type === 'List' && rule.item && Array.isArray(value) && rule.itemsReportedAsOne === true) {
    const itemRule = rule.item;
    if (value.some((v) => !satisfies(v, itemRule))) out = withClause(out, `Member must satisfy constraint: [${describe(itemRule).join(', ')}]`);
  }
  if (rule.type === 'Map') out = mapEntryViolations(value as Readonly<Record<string, unknown>>, rule, out);
  return out;
}

/** `out` with one more clause (an array only once there is one: no closure or array per member). */
function withClause(out: string[] | undefined, constraint: string): string[] {
  if (out === undefined) return [constraint];
  out.push(constraint);
  return out;
}

/**
 * Keys and values of a map are reported once for the whole map, the way
 * Kinesis does: "Map keys must satisfy constraint: [<every constraint of
 * the key shape>]" (likewise "Map value ...").
 */
function mapEntryViolations(map: Readonly<Record<string, unknown>>, rule: MemberRule, found: string[] | undefined): string[] | undefined {
  let out = found;
  const keys = Object.keys(map);
  if (rule.key && keys.some((k) => !satisfies(k, rule.key!))) out = withClause(out, `Map keys must satisfy constraint: [${describe(rule.key).join(', ')}]`);
  if (rule.value && keys.some((k) => !satisfies(map[k], rule.value!))) out = withClause(out, `Map value must satisfy constraint: [${describe(rule.value).join(', ')}]`);
  return out;
}

/** Whether a string satisfies a scalar rule's length and pattern constraints. */
function satisfies(value: unknown, rule: MemberRule): boolean {
  if (typeof value !== 'string') return true;
  if (rule.lengthMin !== undefined && value.length < rule.lengthMin) return false;
  if (rule.lengthMax !== undefined && value.length > rule.lengthMax) return false;
  if (rule.enum !== undefined && !rule.enum.includes(value)) return false;
  return rule.pattern === undefined || anchored(rule.pattern).test(value);
}

/** A scalar rule's constraints as Kinesis lists them inside a map clause. */
function describe(rule: MemberRule): string[] {
  const out: string[] = [];
  if (rule.lengthMax !== undefined) out.push(`Member must have length less than or equal to ${rule.lengthMax}`);
  if (rule.lengthMin !== undefined) out.push(`Member must have length greater than or equal to ${rule.lengthMin}`);
  if (rule.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${rule.pattern}`);
  if (rule.enum !== undefined) out.push(`Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
  return out;
}

const patternCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    patternCache.set(pattern, re);
  }
  return re;
}

/** Length as Kinesis counts it: UTF-16 code units of a string, bytes of a blob, items of a list. */
function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value) || Buffer.isBuffer(value)) return value.length;
  return 0;
}

/** How Kinesis prints a value in a clause (Java's toString of the deserialised value). */
function valueText(value: unknown, rule: MemberRule): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]`;
  if (Array.isArray(value)) return `[${value.map((v) => rule.itemText ?? String(v)).join(', ')}]`;
  if (rule.type === 'Map' && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(', ')}}`;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
