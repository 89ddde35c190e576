import Testing
import VigilKube

@Suite("Watch line buffer")
struct WatchLineBufferTests {
    private func lines(_ text: String) -> [[UInt8]] {
        text.split(separator: "\n").map { Array($0.utf8) }
    }

    @Test func splitAndMergedChunks() throws {
        var buffer = WatchLineBuffer()
        #expect(try buffer.append(Array(#"{"type":"ADD"#.utf8)).isEmpty)
        #expect(try buffer.append(Array(#"ED"}"#.utf8)).isEmpty)
        #expect(try buffer.append([0x0A]) == [Array(#"{"type":"ADDED"}"#.utf8)])
        #expect(try buffer.append(Array("a\nb\r\n\nc".utf8)) == [Array("a".utf8), Array("b".utf8)])
        #expect(buffer.pendingBytes == 1)
        #expect(try buffer.append(Array("\n".utf8)) == [Array("c".utf8)])
        #expect(try buffer.append(Array("tail".utf8)).isEmpty)
        #expect(buffer.finish() == Array("tail".utf8))
        #expect(buffer.finish() == nil)
    }

    /// Any chunking of a stream yields exactly its lines, in order.
    @Test func randomChunkingPreservesLines() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let count = Int.random(in: 1...20, using: &generator)
            let expected = (0..<count).map { index in
                String(repeating: "x", count: Int.random(in: 1...300, using: &generator)) + "-\(round)-\(index)"
            }
            let stream = Array((expected.joined(separator: "\n") + "\n").utf8)
            var buffer = WatchLineBuffer()
            var got: [String] = []
            var offset = 0
            while offset < stream.count {
                let size = min(stream.count - offset, Int.random(in: 1...64, using: &generator))
                got += try buffer.append(stream[offset..<(offset + size)]).map { String(decoding: $0, as: UTF8.self) }
                offset += size
            }
            guard got == expected, buffer.pendingBytes == 0 else {
                let problem = "round \(round): \(got.count) lines instead of \(expected.count)"
                Issue.record("\(problem), \(buffer.pendingBytes) bytes left over")
                return
            }
        }
    }

    @Test func hugeLineInTinyChunksAndTheLimit() throws {
        var buffer = WatchLineBuffer()
        let huge = [UInt8](repeating: 0x61, count: 4 * 1024 * 1024)
        var offset = 0
        while offset < huge.count {
            #expect(try buffer.append(huge[offset..<(offset + 4096)]).isEmpty)
            offset += 4096
        }
        let out = try buffer.append([0x0A])
        #expect(out.count == 1)
        #expect(out.first?.count == huge.count)

        var small = WatchLineBuffer(maxLineBytes: 10)
        #expect(throws: WatchLineBuffer.LineTooLong.self) { try small.append(Array("0123456789abc".utf8)) }
    }
}
