"""Tests of `specsearch mcp`, its MCP tools and the Claude Code plugin."""
