import Dispatch
import Foundation

/// Turns termination signals into a callback (the default action would kill the supervisor
/// without stopping its servers).
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
