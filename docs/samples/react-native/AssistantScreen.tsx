// Lakeside assistant in a React Native app (react-native-webview): events via onMessage, commands via
// injectJavaScript, and Android's Back button closing the chat panel before leaving the screen.
import React, { useCallback, useEffect, useRef } from 'react';
import { BackHandler } from 'react-native';
import { WebView, type WebViewMessageEvent } from 'react-native-webview';

const BANK_ORIGIN = 'https://www.bank.example';

type Command = 'open' | 'close' | 'toggle' | 'setLocale' | 'setTextSize' | 'identify' | 'ask' | 'reset';

export function AssistantScreen({ onHandoff }: { onHandoff?: (detail: unknown) => void }) {
  const ref = useRef<WebView>(null);
  const canGoBack = useRef(false);

  /** Sends a command; the reply ({id, ok, error}) comes back through onMessage. */
  const send = useCallback((command: Command, ...args: unknown[]) => {
    const msg = JSON.stringify({ type: 'bank-assistant', command, args, id: String(Date.now()) });
    // JSON.stringify twice: the message travels as a JS string literal, never as code.
    ref.current?.injectJavaScript(
      `window.BankAssistantBridge && BankAssistantBridge.receive(${JSON.stringify(msg)}); true;`,
    );
    // Alternative: ref.current?.postMessage(msg), which the bridge reads as a `message` event.
  }, []);

  const onMessage = useCallback((e: WebViewMessageEvent) => {
    let msg: any;
    try {
      msg = JSON.parse(e.nativeEvent.data);
    } catch {
      return;
    }
    if (msg?.type !== 'bank-assistant') return;
    if (msg.event === 'handoff') onHandoff?.(msg.detail);
    if (msg.event === 'error') console.warn('assistant error', msg.detail);
    if ('ok' in msg && !msg.ok) console.warn(`command ${msg.id} failed: ${msg.error}`);
  }, [onHandoff]);

  // Android Back: the widget pushes one history entry while its panel is open, so going back in the
  // WebView closes the panel first.
  useEffect(() => {
    const sub = BackHandler.addEventListener('hardwareBackPress', () => {
      if (!canGoBack.current) return false;
      ref.current?.goBack();
      return true;
    });
    return () => sub.remove();
  }, []);

  return (
    <WebView
      ref={ref}
      source={{ uri: `${BANK_ORIGIN}/help` }}
      originWhitelist={[BANK_ORIGIN]}
      javaScriptEnabled
      domStorageEnabled
      onMessage={onMessage}
      onNavigationStateChange={(s) => { canGoBack.current = s.canGoBack; }}
      contentInsetAdjustmentBehavior="never"
    />
  );
}
