export default ["packages/*", "examples", "bench", "soak", "packaging"]
