import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 held bound but not listening, for as long as this object lives.
///
/// While held, connects to the port are refused (there is no listener) and the kernel hands
/// the port to nobody else: neither `bind` to port 0 nor an outgoing connect picks it. So a
/// test can name a dead port, or check that nothing is left listening on one, without racing
/// other processes that bind loopback ports concurrently. Never "bind 0, close, reuse later".
///
/// The socket has SO_REUSEADDR, like the router's listeners. On Linux that lets the router
/// bind and listen on a held port (only a listening socket conflicts), and lets `listen()`
/// here succeed exactly when no other socket is listening on the port.
final class PortReservation: Sendable {
    let port: Int
    private let descriptor: NIOLockedValueBox<Int32?>

    struct SocketCallFailed: Error, CustomStringConvertible {
        let call: String
        let errno: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(errno)))" }
    }

    init() throws {
        #if canImport(Darwin)
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { throw SocketCallFailed(call: "socket", errno: errno) }
        do {
            var one: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw SocketCallFailed(call: "setsockopt(SO_REUSEADDR)", errno: errno)
            }
            var address = sockaddr_in()
            #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
            #endif
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
                }
            }
            guard bound else { throw SocketCallFailed(call: "bind/getsockname", errno: errno) }
            self.port = Int(UInt16(bigEndian: address.sin_port))
        } catch {
            _ = close(fd)
            throw error
        }
        self.descriptor = NIOLockedValueBox(fd)
    }

    /// Starts listening on the held port. Fails with EADDRINUSE while another socket listens
    /// on it, so success proves that no one else does.
    func listen() throws {
        try descriptor.withLockedValue { fd in
            guard let fd else { throw SocketCallFailed(call: "listen (after release)", errno: EBADF) }
            #if canImport(Darwin)
            let result = Darwin.listen(fd, 1)
            #elseif canImport(Musl)
            let result = Musl.listen(fd, 1)
            #else
            let result = Glibc.listen(fd, 1)
            #endif
            guard result == 0 else { throw SocketCallFailed(call: "listen", errno: errno) }
        }
    }

    /// Gives the port up; idempotent.
    func release() {
        descriptor.withLockedValue { fd in
            if let open = fd { _ = close(open) }
            fd = nil
        }
    }

    deinit {
        release()
    }
}
