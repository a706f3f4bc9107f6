// Lakeside assistant in an Android WebView: the bank's help page with the widget, events from the
// widget, commands to it, and the Back button closing the chat panel before leaving the page.
// Needs androidx.activity (OnBackPressedCallback) and androidx.webkit (addWebMessageListener).
package com.bank.example.assistant

import android.annotation.SuppressLint
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.util.Log
import android.webkit.WebResourceRequest
import android.webkit.WebView
import android.webkit.WebViewClient
import androidx.activity.OnBackPressedCallback
import androidx.appcompat.app.AppCompatActivity
import androidx.webkit.WebViewCompat
import androidx.webkit.WebViewFeature
import org.json.JSONArray
import org.json.JSONObject
import java.util.UUID

class AssistantActivity : AppCompatActivity() {
    private lateinit var webView: WebView

    @SuppressLint("SetJavaScriptEnabled")
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        webView = WebView(this)
        setContentView(webView)
        webView.settings.javaScriptEnabled = true
        // sessionStorage keeps the conversation and unsent messages while this WebView lives.
        webView.settings.domStorageEnabled = true

        // Events from the widget. The listener object is injected only into pages of the bank's origin
        // (unlike addJavascriptInterface, which every page and frame in the WebView would see).
        if (WebViewFeature.isFeatureSupported(WebViewFeature.WEB_MESSAGE_LISTENER)) {
            WebViewCompat.addWebMessageListener(webView, "BankAssistantAndroid", setOf(BANK_ORIGIN)) {
                _, message, _, _, _ -> onAssistantMessage(message.data ?: return@addWebMessageListener)
            }
        } else {
            // Older WebViews: the same name through @JavascriptInterface (only ever load the bank's pages).
            webView.addJavascriptInterface(LegacyBridge(), "BankAssistantAndroid")
        }

        webView.webViewClient = object : WebViewClient() {
            override fun shouldOverrideUrlLoading(view: WebView, request: WebResourceRequest): Boolean {
                if (request.url.scheme == "https" && request.url.host == BANK_HOST) return false
                startActivity(Intent(Intent.ACTION_VIEW, request.url)) // other sites: the browser
                return true
            }
        }

        // Back: the widget pushes one history entry while its panel is open, so going back in the
        // WebView closes the panel first, then goes back through the bank's pages, then leaves.
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (webView.canGoBack()) {
                    webView.goBack()
                } else {
                    isEnabled = false
                    onBackPressedDispatcher.onBackPressed()
                }
            }
        })

        webView.loadUrl("$BANK_ORIGIN/help")
    }

    /** A command: open, close, toggle, setLocale("zh-CN"), setTextSize("large"), identify(token), ask(text), reset. */
    fun command(command: String, vararg args: Any) {
        val msg = JSONObject()
            .put("type", "bank-assistant")
            .put("command", command)
            .put("args", JSONArray(args.map { if (it is Map<*, *>) JSONObject(it) else it }))
            .put("id", UUID.randomUUID().toString())
        // JSONObject.quote makes a JS string literal: no string building from customer text.
        webView.evaluateJavascript(
            "window.BankAssistantBridge && BankAssistantBridge.receive(${JSONObject.quote(msg.toString())})",
            null,
        )
    }

    /** Events ({event, detail}) and replies to commands ({id, ok, error}), as JSON text. */
    private fun onAssistantMessage(json: String) {
        val msg = runCatching { JSONObject(json) }.getOrNull() ?: return
        if (msg.optString("type") != "bank-assistant") return
        when (msg.optString("event")) {
            "ready" -> command("setLocale", if (resources.configuration.locales[0].language == "zh") "zh-CN" else "en")
            "handoff" -> Log.i(TAG, "customer handed to a person: ${msg.optJSONObject("detail")}")
            "error" -> Log.w(TAG, "assistant error: ${msg.optJSONObject("detail")}")
            "" -> if (!msg.optBoolean("ok")) Log.w(TAG, "command ${msg.opt("id")} failed: ${msg.optString("error")}")
        }
    }

    private inner class LegacyBridge {
        @android.webkit.JavascriptInterface
        fun postMessage(json: String) = runOnUiThread { onAssistantMessage(json) }
    }

    companion object {
        private const val TAG = "Assistant"
        private const val BANK_HOST = "www.bank.example"
        private const val BANK_ORIGIN = "https://$BANK_HOST"
    }
}
