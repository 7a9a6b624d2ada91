import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { locale, t } from './i18n';
import { rememberSplashTheme, Splash } from './lib/splash';
import { useRepositoriesStore } from './stores/repositories';
import './styles.css';

document.documentElement.lang = locale.value;
const splash = new Splash();
const pinia = createPinia();
createApp(App).use(pinia).mount('#app');
// Mounted: the splash now says what the lab waits for, and leaves once the repositories are listed.
splash.say(t('desk.splash.repositories'), locale.value);
const repos = useRepositoriesStore(pinia);
watch(
  () => repos.ready,
  (ready) => {
    if (ready) splash.dismiss();
  },
  { immediate: true },
);
rememberSplashTheme();
