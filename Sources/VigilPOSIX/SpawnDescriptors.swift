#if canImport(Glibc)
import Glibc
#endif

/// Adds "close every descriptor from 3 up" to `actions` (glibc's
/// posix_spawn_file_actions_addclosefrom_np, 2.34+, looked up at run time: Swift's Glibc
/// module does not export it). Without it a child inherits our sockets, and a listener we
/// closed stays bound (and accepting) for as long as the child lives.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}
