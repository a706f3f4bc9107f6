// Lakeside assistant in a WKWebView: the bank's help page with the widget, events from the widget
// (WKScriptMessageHandler), commands to it (callAsyncJavaScript), swipe-back closing the chat panel first.
import UIKit
import WebKit

final class AssistantViewController: UIViewController, WKScriptMessageHandler {
    private static let bankHost = "www.bank.example"
    private var webView: WKWebView!

    override func viewDidLoad() {
        super.viewDidLoad()
        let config = WKWebViewConfiguration()
        // Events arrive as `window.webkit.messageHandlers.bankAssistant.postMessage(object)`.
        // The handler is held weakly (WKUserContentController retains its handlers).
        config.userContentController.add(WeakHandler(self), name: "bankAssistant")
        webView = WKWebView(frame: view.bounds, configuration: config)
        webView.autoresizingMask = [.flexibleWidth, .flexibleHeight]
        // With viewport-fit=cover on the page, the widget keeps clear of the notch and home indicator itself.
        webView.scrollView.contentInsetAdjustmentBehavior = .never
        // Swipe back: the widget pushes one history entry while its panel is open, so the first swipe closes it.
        webView.allowsBackForwardNavigationGestures = true
        view.addSubview(webView)
        webView.load(URLRequest(url: URL(string: "https://\(Self.bankHost)/help")!))
    }

    /// A command: open, close, toggle, setLocale("zh-CN"), setTextSize("large"), identify(["token": …]),
    /// ask(text), reset. Arguments are passed as values, never pasted into JavaScript source.
    func send(_ command: String, _ args: [Any] = [], done: ((Bool, String?) -> Void)? = nil) {
        let msg: [String: Any] = ["type": "bank-assistant", "command": command, "args": args, "id": UUID().uuidString]
        webView.callAsyncJavaScript(
            "return window.BankAssistantBridge ? await BankAssistantBridge.receive(msg) : {ok: false, error: 'not ready'}",
            arguments: ["msg": msg], in: nil, in: .page
        ) { result in
            switch result {
            case .success(let reply as [String: Any]):
                done?(reply["ok"] as? Bool ?? false, reply["error"] as? String)
            case .success:
                done?(false, "no reply")
            case .failure(let error):
                done?(false, error.localizedDescription)
            }
        }
    }

    func userContentController(_ controller: WKUserContentController, didReceive message: WKScriptMessage) {
        // Only the bank's own pages may talk to the app.
        guard message.frameInfo.securityOrigin.host == Self.bankHost,
              let body = message.body as? [String: Any],
              body["type"] as? String == "bank-assistant" else { return }
        switch body["event"] as? String {
        case "ready":
            send("setLocale", [Locale.preferredLanguages.first?.hasPrefix("zh") == true ? "zh-CN" : "en"])
        case "handoff":
            print("customer handed to a person:", body["detail"] ?? "")
        case "error":
            print("assistant error:", body["detail"] ?? "")
        default:
            break // replies to commands also arrive here ({id, ok, error})
        }
    }
}

/// Breaks the retain cycle WKUserContentController → handler → view controller → web view.
private final class WeakHandler: NSObject, WKScriptMessageHandler {
    weak var target: WKScriptMessageHandler?
    init(_ target: WKScriptMessageHandler) { self.target = target }
    func userContentController(_ c: WKUserContentController, didReceive m: WKScriptMessage) {
        target?.userContentController(c, didReceive: m)
    }
}
