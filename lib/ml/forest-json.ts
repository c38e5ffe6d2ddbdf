// Compact JSON of a trained forest: ml-cart serialises every node with a copy of the tree options,
// its gain and sample count; prediction needs only the split (column, value) or the leaf
// distribution, and ml-cart's loader reads nothing else, so artifacts keep just those.
import type { ForestModelJSON, TreeNodeJSON } from './ml-libs.ts';

function compactNode(node: TreeNodeJSON): TreeNodeJSON {
  if (node.distribution !== undefined) return { distribution: node.distribution };
  if (!node.left || !node.right) throw new Error(`forest JSON: split node on column ${node.splitColumn} without children`);
  return { splitColumn: node.splitColumn, splitValue: node.splitValue, left: compactNode(node.left), right: compactNode(node.right) };
}

/** A plain-JSON copy of the model with compact tree nodes. */
export function compactForestJSON(model: ForestModelJSON): ForestModelJSON {
  const plain = JSON.parse(JSON.stringify(model)) as ForestModelJSON;
  plain.baseModel.estimators = plain.baseModel.estimators.map((tree) => ({ ...tree, root: compactNode(tree.root) }));
  return plain;
}
