// What the helpers read from your GraphQL documents, so that you pass only the documents:
// the list field of a query (its response key and its `ordering:` argument), the field of
// a subscription, and the variables each operation declares.
//
//   const list = listFieldOf(TASKS, "tasks");  // { key: "tasks", ordering: (vars) => ... }
//   subscriptionFieldOf(TASKS_CHANGED)         // "tasksChanged"

import { Kind, parse } from "graphql";

/** A DocumentNode from a string or a DocumentNode (Apollo's `gql`, codegen's documents). */
export function documentOf(document) {
  return typeof document === "string" ? parse(document) : document;
}

function operationOf(document) {
  const operation = documentOf(document).definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new TypeError("the document has no operation");
  return operation;
}

function rootFields(document) {
  return operationOf(document).selectionSet.selections.filter(
    (selection) => selection.kind === Kind.FIELD && !selection.name.value.startsWith("__"),
  );
}

/** The names of the variables an operation declares. */
export function variableNamesOf(document) {
  return (operationOf(document).variableDefinitions ?? []).map((v) => v.variable.name.value);
}

/** `variables` restricted to what the operation declares (undefined ones left out). */
export function pickVariables(document, variables = {}) {
  const picked = {};
  for (const name of variableNamesOf(document)) {
    if (variables[name] !== undefined) picked[name] = variables[name];
  }
  return picked;
}

/** The subscription's field name ("tasksChanged"): its only root field. */
export function subscriptionFieldOf(document) {
  const [field] = rootFields(document);
  if (!field) throw new TypeError("the subscription selects no field");
  return (field.alias ?? field.name).value;
}

function valueOf(node, variables) {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    case Kind.LIST:
      return node.values.map((item) => valueOf(item, variables));
    case Kind.NULL:
      return null;
    default:
      return node.value;
  }
}

/**
 * The list field of a query: `name` (a field name or alias), or the query's only root
 * field. `key` is where it sits in the data; `ordering(variables)` is the value of its
 * `ordering:` argument (a literal or a variable), undefined when it has none.
 */
export function listFieldOf(document, name) {
  const fields = rootFields(document);
  const key = (field) => (field.alias ?? field.name).value;
  const field = name
    ? fields.find((f) => key(f) === name || f.name.value === name)
    : fields.length === 1
      ? fields[0]
      : undefined;
  if (!field) {
    const known = fields.map(key).join(", ");
    throw new TypeError(
      name
        ? `the query has no field ${name} (it has ${known})`
        : `the query has several fields (${known}): say which is the list with \`field\``,
    );
  }
  const argument = field.arguments?.find((a) => a.name.value === "ordering");
  return {
    key: key(field),
    ordering: (variables) => (argument ? valueOf(argument.value, variables) : undefined),
  };
}
