"""The editorial core: pure logic that reads articles and judges figures. No I/O."""
