/**
 * The example requests of the API documents longrun serves (docs/seeds.md),
 * copied as they are written there. examples.test.ts runs them against a
 * server process with only the documents' hosts, port and key replaced, and
 * checks that each is still found, as written, in its document.
 */

/** The video-translation simulator's README (its command is spelt cURL there). */
export const SIMULATOR = {
  document: '000_359eaaa79161c313.txt',
  curl: [
    'cURL --data "delay_seconds=10" http://127.0.0.1:8000/submit/job_000',
    'cURL http://127.0.0.1:8000/status/job_000',
  ],
};

/** The document-translation service's status endpoint documentation. */
export const DOCUMENT_TRANSLATION = {
  document: '001_327a7a4fc5a87535.txt',
  /** The job id its example asks about. */
  jobId: '123e4567-e89b-12d3-a456-426614174000',
  status: `curl -X GET "http://localhost:8000/api/v1/status/123e4567-e89b-12d3-a456-426614174000" \\
  -H "Content-Type: application/json"`,
  /** Its answer for an active job. */
  activeJob: `{
  "status": "processing",
  "progress": 45,
  "file_path": "/tmp/uploads/document.pdf",
  "source_language": "en",
  "target_language": "de",
  "created_at": "2023-11-20T15:30:45Z",
  "output_file": null,
  "error": null,
  "processing_type": "advanced",
  "format_preservation": true
}`,
};

/** The text-to-video API documentation. */
export const TEXT_TO_VIDEO = {
  document: '002_ce9cbaec750dc834.txt',
  /** The job id its examples use. */
  jobId: '550e8400-e29b-41d4-a716-446655440000',
  generate: `curl -X POST http://localhost:5000/api/v1/generate \\
  -H "Content-Type: application/json" \\
  -d '{"text": "Once upon a time, in a faraway land..."}'`,
  status: 'curl http://localhost:5000/api/v1/status/550e8400-e29b-41d4-a716-446655440000',
  download: `curl http://localhost:5000/api/v1/download/550e8400-e29b-41d4-a716-446655440000 \\
  --output video.mp4`,
  jobs: 'curl http://localhost:5000/api/v1/jobs',
  python: `import requests
import time

# Start video generation
response = requests.post(
    'http://localhost:5000/api/v1/generate',
    json={'text': 'Once upon a time, in a faraway land...'}
)
job_id = response.json()['job_id']

# Poll for status
while True:
    status_response = requests.get(f'http://localhost:5000/api/v1/status/{job_id}')
    status_data = status_response.json()

    if status_data['status'] in ['completed', 'failed']:
        break

    print(f"Progress: {status_data['progress']}% - {status_data['message']}")
    time.sleep(2)

# Download video if completed
if status_data['status'] == 'completed':
    video_response = requests.get(f'http://localhost:5000/api/v1/download/{job_id}')
    with open('output_video.mp4', 'wb') as f:
        f.write(video_response.content)`,
};

/** The asynchronous image-to-video workflow. */
export const IMAGE_TO_VIDEO = {
  document: '004_3fd584357baf02fa.txt',
  /** The job id its status example asks about, and the one its download file name holds. */
  jobId: 'a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6',
  fileJobId: '20250101_143022',
  submit: `curl -X POST \\
  -H "X-API-Key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "image_url": "https://example.com/image.jpg",
    "length": 60,
    "frame_rate": 30,
    "zoom_speed": 3
  }' \\
  "https://toolkit.giganalyzer.com/v1/image/convert/video"`,
  status: `curl -X POST \\
  -H "X-API-Key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "job_id": "a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6"
  }' \\
  "https://toolkit.giganalyzer.com/v1/toolkit/job/status"`,
  download: `curl -X GET -H "X-API-Key: YOUR_API_KEY" \\
  "https://toolkit.giganalyzer.com/v1/storage/download/video_20250101_143022.mp4" \\
  --output video.mp4`,
  webhookBody: `{
  "image_url": "https://example.com/image.jpg",
  "length": 60,
  "webhook_url": "https://your-server.com/webhook"
}`,
  notFound: `{
  "error": "Job not found",
  "job_id": "invalid-job-id"
}`,
};
