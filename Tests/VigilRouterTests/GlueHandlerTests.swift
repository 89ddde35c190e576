import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import VigilRouter

/// The glue's backpressure and forwarding, on embedded channels (no sockets, no timing).
@Suite struct GlueHandlerTests {
    /// Counts the reads that reach the channel, i.e. that the glue let through.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func readsWaitWhileThePartnerIsNotWritable() throws {
        let loop = EmbeddedEventLoop()
        let client = EmbeddedChannel(loop: loop)
        let backend = EmbeddedChannel(loop: loop)
        let counter = ReadCounter()
        let counted = NIOLockedValueBox(0)
        let glue = GlueHandler.matchedPair(
            countClientBytes: { n in counted.withLockedValue { $0 += n } }, countBackendBytes: { _ in })
        try client.pipeline.syncOperations.addHandler(counter)
        try client.pipeline.syncOperations.addHandler(glue.client)
        try backend.pipeline.syncOperations.addHandler(glue.backend)

        client.read()
        #expect(counter.reads == 1)

        backend.isWritable = false
        backend.pipeline.fireChannelWritabilityChanged()
        client.read()
        #expect(counter.reads == 1, "read withheld while the backend is over its high water mark")

        backend.isWritable = true
        backend.pipeline.fireChannelWritabilityChanged()
        #expect(counter.reads == 2, "the withheld read resumes once the backend drains")

        try client.writeInbound(ByteBuffer(string: "hello"))
        #expect(try backend.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "hello"))
        #expect(counted.withLockedValue { $0 } == 5)

        // The client going away closes the backend once its queue is written.
        try client.close().wait()
        loop.run()
        #expect(!backend.isActive)
    }

    /// A read error closes a channel without `channelReadComplete`, so the bytes read in that
    /// batch reach the partner unflushed: they must still be sent before the partner closes.
    @Test func bytesReadJustBeforeAResetAreStillForwarded() throws {
        let loop = EmbeddedEventLoop()
        let client = EmbeddedChannel(loop: loop)
        let backend = EmbeddedChannel(loop: loop)
        let glue = GlueHandler.matchedPair(countClientBytes: { _ in }, countBackendBytes: { _ in })
        try client.pipeline.syncOperations.addHandler(glue.client)
        try backend.pipeline.syncOperations.addHandler(glue.backend)

        client.pipeline.fireChannelRead(ByteBuffer(string: "last words"))
        client.pipeline.fireErrorCaught(ConnectionReset())
        loop.run()
        #expect(!client.isActive)
        #expect(try backend.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "last words"))
        #expect(!backend.isActive)
    }
}

private struct ConnectionReset: Error {}
