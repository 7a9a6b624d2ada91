import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { locale } from './i18n';
import './styles.css';

document.documentElement.lang = locale.value;
createApp(App).use(createPinia()).mount('#app');
