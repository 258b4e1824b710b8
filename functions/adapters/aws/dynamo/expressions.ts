/**
 * Builds UpdateItem expressions with placeholders for every attribute name and value, so record
 * fields that are DynamoDB reserved words (`state`, `type`, `reason`, `conf`) need no special care.
 */
export class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly conditions: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private nameCount = 0;
  private valueCount = 0;

  /** The placeholder of an attribute name. */
  name(attribute: string): string {
    for (const [placeholder, existing] of Object.entries(this.names)) {
      if (existing === attribute) return placeholder;
    }
    const placeholder = `#n${this.nameCount++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** The placeholder of a value. */
  value(value: unknown): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `SET attribute = value`. */
  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** Sets every attribute of `attributes`. */
  setAll(attributes: Record<string, unknown>): this {
    for (const [attribute, value] of Object.entries(attributes)) this.set(attribute, value);
    return this;
  }

  /** `SET attribute = if_not_exists(attribute, value)`: a default for a new item. */
  setIfAbsent(attribute: string, value: unknown): this {
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
    return this;
  }

  /** `REMOVE attribute`. */
  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }

  /** ANDs a condition; `build` is given the builder so it can make placeholders. */
  condition(build: (b: this) => string): this {
    this.conditions.push(`(${build(this)})`);
    return this;
  }

  /** The expression fields of an UpdateItem input. */
  build(): {
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ].filter(Boolean);
    return {
      UpdateExpression: clauses.join(' '),
      ...(this.conditions.length > 0 && { ConditionExpression: this.conditions.join(' AND ') }),
      ExpressionAttributeNames: this.names,
      ...(this.valueCount > 0 && { ExpressionAttributeValues: this.values }),
    };
  }
}
