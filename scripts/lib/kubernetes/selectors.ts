import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';

export type Labels = Record<string, string>;

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = Object.hasOwn(labels, key);
      if (operator === 'In') return has && values.includes(labels[key]!);
      if (operator === 'NotIn') return !has || !values.includes(labels[key]!);
      if (operator === 'Exists') return has;
      return !has; // DoesNotExist
    })
  );
}
