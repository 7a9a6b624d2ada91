/**
 * Loading state for one viewer request: the latest call wins (an answer to an
 * older call, e.g. a previous page, is dropped), errors are kept as text for
 * the view to show in place, and `retry()` repeats the last call.
 */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorText } from '../api/client';

export interface Request<T> {
  data: ShallowRef<T | undefined>;
  loading: Ref<boolean>;
  error: Ref<string>;
  run(fn: () => Promise<T>): Promise<void>;
  retry(): void;
}

export function useRequest<T>(): Request<T> {
  const data = shallowRef<T>();
  const loading = ref(false);
  const error = ref('');
  let seq = 0;
  let last: (() => Promise<T>) | undefined;

  async function run(fn: () => Promise<T>): Promise<void> {
    const mine = ++seq;
    last = fn;
    loading.value = true;
    error.value = '';
    try {
      const value = await fn();
      if (mine === seq) data.value = value;
    } catch (err) {
      if (mine === seq) error.value = errorText(err);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return {
    data,
    loading,
    error,
    run,
    retry: () => {
      if (last) void run(last);
    },
  };
}
