/**
 * The request shapes of the Kinesis API as data: for each member its wire
 * type and the constraints Kinesis checks, in the order Kinesis reports
 * them. Member order inside a Shape is significant: it is the order in
 * which Kinesis lists type errors and validation errors (the orders were
 * checked against the real service by the public kinesalite test suite).
 */

/** Wire types of the AWS JSON/CBOR protocols that Kinesis requests use. */
export type MemberType = 'String' | 'Integer' | 'Long' | 'Boolean' | 'Blob' | 'Timestamp' | 'List' | 'Structure' | 'Map';

/**
 * One member's rule. Constraints are always checked in this fixed order,
 * which matches Kinesis: notNull, min, max, pattern, lengthMin, lengthMax,
 * enum, then the members of a list or structure.
 */
export interface MemberRule {
  readonly type: MemberType;
  /**
   * Must be present. A function decides from the enclosing object (e.g.
   * StreamName is required only when StreamARN is absent).
   */
  readonly notNull?: boolean | ((parent: Readonly<Record<string, unknown>>) => boolean);
  /** Inclusive numeric bounds (Integer, Long). */
  readonly min?: number;
  readonly max?: number;
  /** Regular expression as Kinesis prints it; anchored when checked. */
  readonly pattern?: string;
  /** Inclusive length bounds: characters (String), bytes (Blob), items (List) or entries (Map). */
  readonly lengthMin?: number;
  readonly lengthMax?: number;
  readonly enum?: readonly string[];
  /** How Kinesis prints each item of a list in a message (Java's toString of a structure). */
  readonly itemText?: string;
  /** List: the rule of each item. */
  readonly item?: MemberRule;
  /**
   * List of strings: report the items' violated constraints once for the
   * whole list ("Member must satisfy constraint: [...]"), as Kinesis does
   * for TagKeys and ShardLevelMetrics, instead of one clause per item.
   */
  readonly itemsReportedAsOne?: boolean;
  /** Structure: its members. */
  readonly members?: Shape;
  /** Map: the rules of its keys and of its values (Strings). */
  readonly key?: MemberRule;
  readonly value?: MemberRule;
}

/** A structure: member name (as on the wire, e.g. StreamName) -> rule. */
export type Shape = Readonly<Record<string, MemberRule>>;

const shapeNames = new WeakMap<Shape, readonly string[]>();

/** A shape's member names in order, listed once per shape rather than once per checked value (500 records a request). */
export function memberNames(shape: Shape): readonly string[] {
  let names = shapeNames.get(shape);
  if (!names) {
    names = Object.keys(shape);
    shapeNames.set(shape, names);
  }
  return names;
}
