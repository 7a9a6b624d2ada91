import type { ModelDetail } from '@contract/lab-api';
import { computed, onBeforeUnmount, ref, watch, type WatchSource } from 'vue';
import { buildRequestInputs } from './form-model';
import { parameterProblems } from './parameters-form';
import { runKey, useRunStore } from '../../stores/run';

/**
 * The input form of a model's playground state, shared by the Run tab and the
 * ensemble step-through: the model's summary, whether it can run, its form
 * state (created before the first render and rebuilt when the config's inputs
 * change), the built request and the number of problems in it.
 */
export function useRunForm(props: { detail: ModelDetail }) {
  const run = useRunStore();
  const s = computed(() => props.detail.summary);
  const ready = computed(() => s.value.state === 'READY' && s.value.runnable !== false);
  watch(
    () => props.detail,
    (d) => void run.ensure(d),
    { immediate: true },
  );
  const m = computed(() => run.models[runKey(props.detail.repoId, s.value.name)] ?? run.ensure(props.detail));
  const check = computed(() => buildRequestInputs(m.value.forms));
  // "…and N more bad values" stands for N problems, so the count says how many there are.
  const problems = computed(
    () =>
      Object.values(check.value.issues).reduce((n, list) => n + list.reduce((k, i) => k + (i.key === 'runs.values.more' ? Number(i.params?.['n'] ?? 1) : 1), 0), 0) +
      parameterProblems(m.value.parameters ?? []),
  );
  return { run, s, ready, m, check, problems };
}

/** The current time, ticking every 100 ms while `busy` holds (for an elapsed-time label). */
export function useTicker(busy: WatchSource<boolean>) {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  watch(
    busy,
    (on) => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (on) {
        now.value = Date.now();
        timer = setInterval(() => (now.value = Date.now()), 100);
      }
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer);
  });
  return now;
}
