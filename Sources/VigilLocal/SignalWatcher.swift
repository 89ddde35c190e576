import Dispatch
import Foundation

/// Turns termination signals into a callback (the default action would kill the supervisor
/// without stopping its servers).
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    public init(signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    public func cancel() { sources.forEach { $0.cancel() } }
}
