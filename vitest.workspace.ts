export default ["packages/*", "examples", "bench", "soak"]
